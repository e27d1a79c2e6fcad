using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// 2x2 max pooling of stride 2 without padding, the maxima only (inference: no backward pass needs their positions).
    /// output: [N, C, H / 2, W / 2]; x: [N, C, H, W]; g: the pool's geometry.
    /// </summary>
    public static void MaxForward2x2(Span<float> output, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        if (g.Kernel != new Size2d(2, 2) || g.Stride != new Size2d(2, 2) || g.Padding != new Size2d(0, 0))
            throw new ArgumentException("MaxForward2x2 takes a 2x2 window of stride 2 without padding.");
        MaxForward2x2(output, default, x, g);
    }

    // The networks' common case (2x2, stride 2, no padding) without window bookkeeping; same results as the general loop.
    // Planes are split across the workers (each plane is independent, so the result does not depend on the split).
    // An empty argmax: the maxima only.
    private static unsafe void MaxForward2x2(Span<float> output, Span<int> argmax, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        int planes = g.N * g.C, plane = g.H * g.W, outPlane = g.OH * g.OW;
        if (x.Length < planes * plane || output.Length < planes * outPlane || (!argmax.IsEmpty && argmax.Length < planes * outPlane))
            throw new ArgumentException("MaxPool2d: a buffer is smaller than the geometry needs.");
        fixed (float* px = x, po = output)
        fixed (int* pi = argmax)
        {
            var work = new MaxPool2x2Work { X = px, Output = po, Argmax = argmax.IsEmpty ? null : pi, W = g.W, OH = g.OH, OW = g.OW, Plane = plane, OutPlane = outPlane };
            ForPlanes(planes, (long)planes * plane, ref work);
        }
    }

    // Runs work over [0, planes) on the workers when there is enough of it (elements = values read), else inline.
    private static void ForPlanes<T>(int planes, long elements, ref T work) where T : struct, IWorkItem
    {
        if (elements < ParallelElements || Workers.ThreadCount == 1) work.Run(0, planes);
        else Workers.ForBalanced(planes, ref work);
    }

    // Below this many elements a pooling pass is faster on one thread than the hand-off to a second.
    private const long ParallelElements = 32 * 1024;

    private unsafe struct MaxPool2x2Work : IWorkItem
    {
        public float* X, Output;
        public int* Argmax;
        public int W, OH, OW, Plane, OutPlane;

        public readonly void Run(int start, int end)
        {
            for (int pl = start; pl < end; pl++)
            {
                float* image = X + (long)pl * Plane;
                float* o = Output + (long)pl * OutPlane;
                int* idx = Argmax is null ? null : Argmax + (long)pl * OutPlane;
                for (int y = 0; y < OH; y++)
                {
                    int top = 2 * y * W;
                    int* rowIdx = idx is null ? null : idx + y * OW;
                    if (Avx512F.IsSupported) RowVector512(image, top, W, OW, o + y * OW, rowIdx);
                    else RowScalar(image, top, W, OW, o + y * OW, rowIdx);
                }
            }
        }
    }

    // One output row: window order (top-left, top-right, bottom-left, bottom-right) with strict > keeps the first maximum;
    // NaN wins. A null idx: the maxima only.
    private static unsafe void RowScalar(float* image, int top, int w, int ow, float* o, int* idx)
    {
        for (int xo = 0; xo < ow; xo++)
        {
            int at = top + 2 * xo, best = at;
            float max = image[at];
            if (image[at + 1] > max || float.IsNaN(image[at + 1])) { max = image[at + 1]; best = at + 1; }
            if (image[at + w] > max || float.IsNaN(image[at + w])) { max = image[at + w]; best = at + w; }
            if (image[at + w + 1] > max || float.IsNaN(image[at + w + 1])) { max = image[at + w + 1]; best = at + w + 1; }
            o[xo] = max;
            if (idx is not null) idx[xo] = best;
        }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> OddLanes = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    // The same decisions 16 outputs at a time, branch-free: masked loads of the two input rows, even/odd lanes split
    // into the window's left and right columns, and a select per window position in the scalar loop's order.
    private static unsafe void RowVector512(float* image, int top, int w, int ow, float* o, int* idx)
    {
        for (int xo = 0; xo < ow; xo += 16)
        {
            int count = Math.Min(16, ow - xo), inputs = 2 * count;
            var loMask = Vector512.LessThan(LaneIndex, Vector512.Create(inputs)).AsSingle();
            var hiMask = Vector512.LessThan(LaneIndex, Vector512.Create(inputs - 16)).AsSingle();
            float* t = image + top + 2 * xo, b = t + w;
            var tLo = Avx512F.MaskLoad(t, loMask, Vector512<float>.Zero);
            var tHi = Avx512F.MaskLoad(t + 16, hiMask, Vector512<float>.Zero);
            var bLo = Avx512F.MaskLoad(b, loMask, Vector512<float>.Zero);
            var bHi = Avx512F.MaskLoad(b + 16, hiMask, Vector512<float>.Zero);
            var max = Avx512F.PermuteVar16x32x2(tLo, EvenLanes, tHi);
            var topLeft = Vector512.Create(top + 2 * xo) + LaneIndex * 2;
            var best = topLeft;
            Take(ref max, ref best, Avx512F.PermuteVar16x32x2(tLo, OddLanes, tHi), topLeft + Vector512.Create(1));
            Take(ref max, ref best, Avx512F.PermuteVar16x32x2(bLo, EvenLanes, bHi), topLeft + Vector512.Create(w));
            Take(ref max, ref best, Avx512F.PermuteVar16x32x2(bLo, OddLanes, bHi), topLeft + Vector512.Create(w + 1));
            var storeMask = Vector512.LessThan(LaneIndex, Vector512.Create(count));
            Avx512F.MaskStore(o + xo, storeMask.AsSingle(), max);
            if (idx is not null) Avx512F.MaskStore(idx + xo, storeMask, best);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref Vector512<float> max, ref Vector512<int> best, Vector512<float> v, Vector512<int> at)
    {
        var take = Vector512.GreaterThan(v, max) | ~Vector512.Equals(v, v);
        max = Vector512.ConditionalSelect(take, v, max);
        best = Vector512.ConditionalSelect(take.AsInt32(), at, best);
    }

    // dx: [N, C, H, W] (+)= scatter of dout: [N, C, OH, OW] to the argmax positions (planes split across the workers)
    public static unsafe void MaxBackward(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<int> argmax, in ConvGeometry g)
    {
        int planes = g.N * g.C, plane = g.H * g.W, outPlane = g.OutPlane;
        if (dx.Length < planes * plane || dout.Length < planes * outPlane || argmax.Length < planes * outPlane)
            throw new ArgumentException("MaxPool2d: a buffer is smaller than the geometry needs.");
        fixed (float* pdx = dx, pdy = dout)
        fixed (int* pi = argmax)
        {
            var work = new MaxBackwardWork { Dx = pdx, Dy = pdy, Argmax = pi, Plane = plane, OutPlane = outPlane, Accumulate = accumulate };
            ForPlanes(planes, (long)planes * plane, ref work);
        }
    }

    private unsafe struct MaxBackwardWork : IWorkItem
    {
        public float* Dx, Dy;
        public int* Argmax;
        public int Plane, OutPlane;
        public bool Accumulate;

        public readonly void Run(int start, int end)
        {
            for (int pl = start; pl < end; pl++)
            {
                float* d = Dx + (long)pl * Plane, dy = Dy + (long)pl * OutPlane;
                int* idx = Argmax + (long)pl * OutPlane;
                if (!Accumulate) new Span<float>(d, Plane).Clear();
                // The argmax indices were written by the forward pass for this geometry, so they lie inside the plane.
                for (int i = 0; i < OutPlane; i++) d[idx[i]] += dy[i];
            }
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
