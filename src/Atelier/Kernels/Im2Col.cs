using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// Unrolls convolution windows into a column matrix so a whole batch chunk becomes one GEMM, and folds
/// column gradients back onto the image (col2im). Columns are ordered sample-major: column n·OH·OW + oh·OW + ow.
/// </summary>
public static class Im2Col
{
    // col: [C·kh·kw, nc·OH·OW]; x: [nc, C, H, W] (the chunk's samples)
    public static void Gather(Span<float> col, ReadOnlySpan<float> x, in ConvGeometry g, int nc)
    {
        int kh = g.Kernel.Height, kw = g.Kernel.Width, sh = g.Stride.Height, sw = g.Stride.Width;
        int ph = g.Padding.Height, pw = g.Padding.Width, oh = g.OH, ow = g.OW, plane = g.H * g.W, cols = nc * g.OutPlane;
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                {
                    var row = col.Slice(((c * kh + i) * kw + j) * cols, cols);
                    // Output columns whose input column ow·sw - pw + j lands inside [0, W).
                    int owStart = Math.Min(ow, Math.Max(0, CeilDiv(pw - j, sw))), owEnd = Math.Min(ow, CeilDiv(g.W + pw - j, sw));
                    if (owEnd < owStart) owEnd = owStart;
                    for (int n = 0; n < nc; n++)
                    {
                        var image = x.Slice((n * g.C + c) * plane, plane);
                        for (int y = 0; y < oh; y++)
                        {
                            var dst = row.Slice(n * g.OutPlane + y * ow, ow);
                            int ih = y * sh - ph + i;
                            if ((uint)ih >= (uint)g.H) { dst.Clear(); continue; }
                            var src = image.Slice(ih * g.W, g.W);
                            dst[..owStart].Clear();
                            dst[owEnd..].Clear();
                            if (sw == 1) src.Slice(owStart - pw + j, owEnd - owStart).CopyTo(dst[owStart..owEnd]);
                            else for (int xo = owStart; xo < owEnd; xo++) dst[xo] = src[xo * sw - pw + j];
                        }
                    }
                }
    }

    // dx: [nc, C, H, W] += fold(dcol); dcol: [C·kh·kw, nc·OH·OW]
    public static void ScatterAdd(Span<float> dx, ReadOnlySpan<float> dcol, in ConvGeometry g, int nc)
    {
        int kh = g.Kernel.Height, kw = g.Kernel.Width, sh = g.Stride.Height, sw = g.Stride.Width;
        int ph = g.Padding.Height, pw = g.Padding.Width, oh = g.OH, ow = g.OW, plane = g.H * g.W, cols = nc * g.OutPlane;
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                {
                    var row = dcol.Slice(((c * kh + i) * kw + j) * cols, cols);
                    int owStart = Math.Min(ow, Math.Max(0, CeilDiv(pw - j, sw))), owEnd = Math.Min(ow, CeilDiv(g.W + pw - j, sw));
                    if (owEnd <= owStart) continue;
                    for (int n = 0; n < nc; n++)
                    {
                        var image = dx.Slice((n * g.C + c) * plane, plane);
                        for (int y = 0; y < oh; y++)
                        {
                            int ih = y * sh - ph + i;
                            if ((uint)ih >= (uint)g.H) continue;
                            var src = row.Slice(n * g.OutPlane + y * ow, ow);
                            var dst = image.Slice(ih * g.W, g.W);
                            if (sw == 1)
                            {
                                var target = dst.Slice(owStart - pw + j, owEnd - owStart);
                                TensorPrimitives.Add(target, src[owStart..owEnd], target);
                            }
                            else for (int xo = owStart; xo < owEnd; xo++) dst[xo * sw - pw + j] += src[xo];
                        }
                    }
                }
    }

    // Ceiling of a / b for b > 0 and any sign of a.
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
