using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// The weight gradient of the same stride-2 convolutions without a column matrix: for 8 taps and 32 output channels
/// the 16 vectors of sums stay in registers while the sample's output pixels go past, each pixel one pair of dY
/// vectors (its 32 channels, from a pixel-major copy of the sample's dY) against one broadcast input value per tap,
/// read in place from the zero-padded sample. Samples go to the groups of <see cref="WeightGradientGroups"/>, so
/// results do not depend on the thread count.
/// </summary>
internal static unsafe partial class StridedConvolution
{
    // dweight: [OutC, C, kh, kw] (+)= the weight gradient; dbias: [OutC] (+)= Σ dY (either may be empty); dout, x: NCHW.
    public static void BackwardWeights(Span<float> dweight, bool accumulateWeight, Span<float> dbias, bool accumulateBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        int k = g.ColumnRows;
        var (_, taps) = CallerScratch.For(0, TapGroups(k) * TapGroup);
        TapOffsets(taps, g);
        // Taps past the last group's end read the sample's first value into sums that are not written out.
        Array.Clear(taps, k, TapGroups(k) * TapGroup - k);
        fixed (float* pdy = dout, px = x)
        fixed (int* pt = taps)
            WeightGradientGroups.Run(dweight, accumulateWeight, dbias, accumulateBias, dout, x, g, g.OutC * k,
                new GroupSum { Dy = pdy, X = px, Taps = pt, G = g });
    }

    private const int TapGroup = 8;

    private static int TapGroups(int k) => (k + TapGroup - 1) / TapGroup;

    private readonly struct GroupSum : WeightGradientGroups.IGroupSum
    {
        public float* Dy { get; init; }
        public float* X { get; init; }
        public int* Taps { get; init; }
        public ConvGeometry G { get; init; }

        // Sums samples [first, last) in order, as [block][tap][32] in the worker's scratch, then writes them to partial
        // in the weights' [OutC, K] order.
        public void Sum(float* partial, int first, int last)
        {
            var g = G;
            int wp = g.W + 2 * g.Padding.Width, hp = g.H + 2 * g.Padding.Height, k = g.ColumnRows, kPadded = TapGroups(k) * TapGroup;
            int inSample = g.C * g.H * g.W, outSample = g.OutC * g.OutPlane, blocks = g.OutC / Block;
            var padded = WorkerScratch.Padded(g.C * hp * wp + Slack);
            var (pixelMajor, sums) = WeightScratch.For(outSample, blocks * kPadded * Block);
            fixed (float* pp = padded, pd = pixelMajor, ps = sums)
            {
                for (int n = first; n < last; n++)
                {
                    Pad(pp, X + (nint)n * inSample, g, wp, hp);
                    PixelMajor(pd, Dy + (nint)n * outSample, g.OutC, g.OutPlane);
                    for (int b = 0; b < blocks; b++)
                        for (int t = 0; t < kPadded; t += TapGroup)
                            TapSums(pp, wp, Taps + t, pd + b * Block, g.OH, g.OW, g.OutC, ps + ((nint)b * kPadded + t) * Block, accumulate: n > first);
                }
                for (int b = 0; b < blocks; b++)
                    for (int j = 0; j < Block; j++)
                    {
                        float* row = partial + (nint)(b * Block + j) * k;
                        float* column = ps + (nint)b * kPadded * Block + j;
                        for (int t = 0; t < k; t++) row[t] = column[t * Block];
                    }
            }
        }
    }

    // pixelMajor[p·OutC + oc] = dy[oc·P + p].
    private static void PixelMajor(float* pixelMajor, float* dy, int outC, int plane)
    {
        for (int oc = 0; oc < outC; oc++)
            for (int p = 0; p < plane; p++) pixelMajor[p * outC + oc] = dy[oc * plane + p];
    }

    // sums[t·32 + j] (+)= Σ over output pixels (oy, ox) of dy[(oy·OW + ox)·OutC + j]·padded[taps[t] + 2·oy·wp + 2·ox],
    // for the group's 8 taps t.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TapSums(float* padded, int wp, int* taps, float* dy, int oh, int ow, int outC, float* sums, bool accumulate)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        if (accumulate)
        {
            a0 = Vector512.Load(sums); b0 = Vector512.Load(sums + 16);
            a1 = Vector512.Load(sums + 32); b1 = Vector512.Load(sums + 48);
            a2 = Vector512.Load(sums + 64); b2 = Vector512.Load(sums + 80);
            a3 = Vector512.Load(sums + 96); b3 = Vector512.Load(sums + 112);
            a4 = Vector512.Load(sums + 128); b4 = Vector512.Load(sums + 144);
            a5 = Vector512.Load(sums + 160); b5 = Vector512.Load(sums + 176);
            a6 = Vector512.Load(sums + 192); b6 = Vector512.Load(sums + 208);
            a7 = Vector512.Load(sums + 224); b7 = Vector512.Load(sums + 240);
        }
        nint o0 = taps[0], o1 = taps[1], o2 = taps[2], o3 = taps[3], o4 = taps[4], o5 = taps[5], o6 = taps[6], o7 = taps[7];
        for (int oy = 0; oy < oh; oy++)
        {
            float* p = padded + 2 * oy * wp;
            float* d = dy + (nint)oy * ow * outC;
            for (int ox = 0; ox < ow; ox++, p += 2, d += outC)
            {
                var d0 = Vector512.Load(d);
                var d1 = Vector512.Load(d + 16);
                var v = Vector512.Create(p[o0]);
                a0 = Avx512F.FusedMultiplyAdd(d0, v, a0); b0 = Avx512F.FusedMultiplyAdd(d1, v, b0);
                v = Vector512.Create(p[o1]);
                a1 = Avx512F.FusedMultiplyAdd(d0, v, a1); b1 = Avx512F.FusedMultiplyAdd(d1, v, b1);
                v = Vector512.Create(p[o2]);
                a2 = Avx512F.FusedMultiplyAdd(d0, v, a2); b2 = Avx512F.FusedMultiplyAdd(d1, v, b2);
                v = Vector512.Create(p[o3]);
                a3 = Avx512F.FusedMultiplyAdd(d0, v, a3); b3 = Avx512F.FusedMultiplyAdd(d1, v, b3);
                v = Vector512.Create(p[o4]);
                a4 = Avx512F.FusedMultiplyAdd(d0, v, a4); b4 = Avx512F.FusedMultiplyAdd(d1, v, b4);
                v = Vector512.Create(p[o5]);
                a5 = Avx512F.FusedMultiplyAdd(d0, v, a5); b5 = Avx512F.FusedMultiplyAdd(d1, v, b5);
                v = Vector512.Create(p[o6]);
                a6 = Avx512F.FusedMultiplyAdd(d0, v, a6); b6 = Avx512F.FusedMultiplyAdd(d1, v, b6);
                v = Vector512.Create(p[o7]);
                a7 = Avx512F.FusedMultiplyAdd(d0, v, a7); b7 = Avx512F.FusedMultiplyAdd(d1, v, b7);
            }
        }
        a0.Store(sums); b0.Store(sums + 16);
        a1.Store(sums + 32); b1.Store(sums + 48);
        a2.Store(sums + 64); b2.Store(sums + 80);
        a3.Store(sums + 96); b3.Store(sums + 112);
        a4.Store(sums + 128); b4.Store(sums + 144);
        a5.Store(sums + 160); b5.Store(sums + 176);
        a6.Store(sums + 192); b6.Store(sums + 208);
        a7.Store(sums + 224); b7.Store(sums + 240);
    }

    /// <summary>A worker's pixel-major dY of one sample and its sums: grown on demand, then reused.</summary>
    private static class WeightScratch
    {
        [ThreadStatic] private static float[]? pixelMajor;
        [ThreadStatic] private static float[]? sums;

        public static (float[] PixelMajor, float[] Sums) For(int pixelFloats, int sumFloats)
        {
            if (pixelMajor is null || pixelMajor.Length < pixelFloats) pixelMajor = GC.AllocateUninitializedArray<float>(pixelFloats);
            if (sums is null || sums.Length < sumFloats) sums = GC.AllocateUninitializedArray<float>(sumFloats);
            return (pixelMajor, sums);
        }
    }
}
