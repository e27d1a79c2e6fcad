using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// Max, average and global-average pooling over NCHW batches, each plane (sample, channel) on its own,
/// with PyTorch's semantics: floor-mode output sizes, implicit -inf (max) or zero (average) padding,
/// average divisor kh·kw (count_include_pad), max argmax as a flat index into the input plane.
/// </summary>
public static class Pooling
{
    // output, argmax: [N, C, OH, OW]; x: [N, C, H, W]
    public static void MaxForward(Span<float> output, Span<int> argmax, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        if (g.Kernel == new Size2d(2, 2) && g.Stride == new Size2d(2, 2) && g.Padding == new Size2d(0, 0))
        {
            MaxForward2x2(output, argmax, x, g);
            return;
        }
        int oh = g.OH, ow = g.OW, plane = g.H * g.W, outPlane = oh * ow;
        for (int pl = 0; pl < g.N * g.C; pl++)
        {
            var image = x.Slice(pl * plane, plane);
            var o = output.Slice(pl * outPlane, outPlane);
            var idx = argmax.Slice(pl * outPlane, outPlane);
            for (int y = 0; y < oh; y++)
            {
                int h0 = y * g.Stride.Height - g.Padding.Height;
                int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.Kernel.Height, g.H);
                for (int xo = 0; xo < ow; xo++)
                {
                    int w0 = xo * g.Stride.Width - g.Padding.Width;
                    int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.Kernel.Width, g.W);
                    int best = hs * g.W + ws;
                    float max = float.NegativeInfinity;
                    for (int h = hs; h < he; h++)
                        for (int w = ws; w < we; w++)
                        {
                            float v = image[h * g.W + w];
                            // Strictly greater keeps the first maximum; NaN wins, as in PyTorch.
                            if (v > max || float.IsNaN(v)) { max = v; best = h * g.W + w; }
                        }
                    o[y * ow + xo] = max;
                    idx[y * ow + xo] = best;
                }
            }
        }
    }

    // The networks' common case (2x2, stride 2, no padding) without window bookkeeping; same results as the general loop.
    private static unsafe void MaxForward2x2(Span<float> output, Span<int> argmax, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        int oh = g.OH, ow = g.OW, w = g.W, plane = g.H * w, outPlane = oh * ow, planes = g.N * g.C;
        if (x.Length < planes * plane || output.Length < planes * outPlane || argmax.Length < planes * outPlane)
            throw new ArgumentException("MaxPool2d: a buffer is smaller than the geometry needs.");
        fixed (float* px = x, po = output)
        fixed (int* pi = argmax)
        {
            for (int pl = 0; pl < planes; pl++)
            {
                float* image = px + (long)pl * plane;
                float* o = po + (long)pl * outPlane;
                int* idx = pi + (long)pl * outPlane;
                for (int y = 0; y < oh; y++)
                {
                    int top = 2 * y * w;
                    for (int xo = 0; xo < ow; xo++)
                    {
                        // Window order (top-left, top-right, bottom-left, bottom-right) with strict > keeps the first maximum.
                        int at = top + 2 * xo, best = at;
                        float max = image[at];
                        if (image[at + 1] > max || float.IsNaN(image[at + 1])) { max = image[at + 1]; best = at + 1; }
                        if (image[at + w] > max || float.IsNaN(image[at + w])) { max = image[at + w]; best = at + w; }
                        if (image[at + w + 1] > max || float.IsNaN(image[at + w + 1])) { max = image[at + w + 1]; best = at + w + 1; }
                        o[y * ow + xo] = max;
                        idx[y * ow + xo] = best;
                    }
                }
            }
        }
    }

    // dx: [N, C, H, W] (+)= scatter of dout: [N, C, OH, OW] to the argmax positions
    public static void MaxBackward(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<int> argmax, in ConvGeometry g)
    {
        int plane = g.H * g.W, outPlane = g.OutPlane;
        if (!accumulate) dx[..(g.N * g.C * plane)].Clear();
        for (int pl = 0; pl < g.N * g.C; pl++)
        {
            var d = dx.Slice(pl * plane, plane);
            var dy = dout.Slice(pl * outPlane, outPlane);
            var idx = argmax.Slice(pl * outPlane, outPlane);
            for (int i = 0; i < outPlane; i++) d[idx[i]] += dy[i];
        }
    }

    // output: [N, C, OH, OW] = window sums of x: [N, C, H, W] / (kh·kw)
    public static void AvgForward(Span<float> output, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        int oh = g.OH, ow = g.OW, plane = g.H * g.W, outPlane = oh * ow;
        float scale = 1f / (g.Kernel.Height * g.Kernel.Width);
        for (int pl = 0; pl < g.N * g.C; pl++)
        {
            var image = x.Slice(pl * plane, plane);
            var o = output.Slice(pl * outPlane, outPlane);
            for (int y = 0; y < oh; y++)
            {
                int h0 = y * g.Stride.Height - g.Padding.Height;
                int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.Kernel.Height, g.H);
                for (int xo = 0; xo < ow; xo++)
                {
                    int w0 = xo * g.Stride.Width - g.Padding.Width;
                    int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.Kernel.Width, g.W);
                    float sum = 0;
                    for (int h = hs; h < he; h++)
                        for (int w = ws; w < we; w++) sum += image[h * g.W + w];
                    o[y * ow + xo] = sum * scale;
                }
            }
        }
    }

    // dx: [N, C, H, W] (+)= each dout: [N, C, OH, OW] spread evenly over its window
    public static void AvgBackward(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, in ConvGeometry g)
    {
        int oh = g.OH, ow = g.OW, plane = g.H * g.W, outPlane = oh * ow;
        float scale = 1f / (g.Kernel.Height * g.Kernel.Width);
        if (!accumulate) dx[..(g.N * g.C * plane)].Clear();
        for (int pl = 0; pl < g.N * g.C; pl++)
        {
            var d = dx.Slice(pl * plane, plane);
            var dy = dout.Slice(pl * outPlane, outPlane);
            for (int y = 0; y < oh; y++)
            {
                int h0 = y * g.Stride.Height - g.Padding.Height;
                int hs = Math.Max(h0, 0), he = Math.Min(h0 + g.Kernel.Height, g.H);
                for (int xo = 0; xo < ow; xo++)
                {
                    int w0 = xo * g.Stride.Width - g.Padding.Width;
                    int ws = Math.Max(w0, 0), we = Math.Min(w0 + g.Kernel.Width, g.W);
                    float share = dy[y * ow + xo] * scale;
                    for (int h = hs; h < he; h++)
                        for (int w = ws; w < we; w++) d[h * g.W + w] += share;
                }
            }
        }
    }

    // output: [planes] = mean of each x plane: [planes, plane]
    public static void GlobalAvgForward(Span<float> output, ReadOnlySpan<float> x, int planes, int plane)
    {
        float scale = 1f / plane;
        for (int pl = 0; pl < planes; pl++) output[pl] = TensorPrimitives.Sum(x.Slice(pl * plane, plane)) * scale;
    }

    // dx: [planes, plane] (+)= dout[planes] / plane
    public static void GlobalAvgBackward(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, int planes, int plane)
    {
        float scale = 1f / plane;
        for (int pl = 0; pl < planes; pl++)
        {
            var d = dx.Slice(pl * plane, plane);
            if (accumulate) TensorPrimitives.Add(d, dout[pl] * scale, d);
            else d.Fill(dout[pl] * scale);
        }
    }
}
