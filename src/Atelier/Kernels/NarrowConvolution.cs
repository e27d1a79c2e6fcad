using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// Direct 3x3, stride-1 convolution with few output channels (at most 8, e.g. a 32 -> 4 bottleneck): im2col would
/// write a column matrix 9·C rows tall for a GEMM only OutC rows tall, so instead each 16-pixel output row segment
/// keeps its OutC sums in registers while the taps of every input channel stream past. Forward and the input
/// gradient are split across the workers by sample, the weight gradient by input channel: every value is formed by
/// one thread in a fixed order, so results do not depend on the thread count.
/// </summary>
internal static unsafe class NarrowConvolution
{
    /// <summary>Whether this kernel handles the geometry.</summary>
    public static bool Handles(in ConvGeometry g) =>
        Avx512F.IsSupported && g.Kernel == new Size2d(3, 3) && g.Stride == new Size2d(1, 1) && g.OutC <= 8 && g.C >= 2 && g.C <= 256
        && g.Padding.Height <= 2 && g.Padding.Width <= 2;

    // Below this many output floats the kernel runs on the calling thread.
    private const long ParallelFloats = 16 * 1024;

    // output: [N, OutC, OH, OW]; x: [N, C, H, W]; weight: [OutC, C, 3, 3]; bias: [OutC] or empty
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in ConvGeometry g)
    {
        Check(g, output.Length, x.Length, weight.Length);
        // Weights as [c][tap][8]: the eight output channels of one tap side by side (zero past OutC).
        float* packed = stackalloc float[g.C * 9 * 8];
        for (int o = 0; o < 8; o++)
            for (int c = 0; c < g.C; c++)
                for (int t = 0; t < 9; t++)
                    packed[(c * 9 + t) * 8 + o] = o < g.OutC ? weight[(o * g.C + c) * 9 + t] : 0;
        fixed (float* po = output, px = x, pb = bias)
        {
            var work = new ForwardWork { Output = po, X = px, Weight = packed, Bias = bias.IsEmpty ? null : pb, G = g };
            Run(ref work, g.N, (long)g.N * g.OutC * g.OutPlane);
        }
    }

    // dx: [N, C, H, W] (+)= Σ_o Σ_tap w[o, c, tap]·dy[n, o, shifted]; dout: [N, OutC, OH, OW]
    public static void BackwardData(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in ConvGeometry g)
    {
        Check(g, dout.Length, dx.Length, weight.Length);
        // Weights as [o][tap][c] (c padded to a multiple of 8): eight input channels of one tap side by side.
        int cPadded = (g.C + 7) / 8 * 8;
        float* packed = stackalloc float[g.OutC * 9 * cPadded];
        for (int o = 0; o < g.OutC; o++)
            for (int t = 0; t < 9; t++)
                for (int c = 0; c < cPadded; c++)
                    packed[(o * 9 + t) * cPadded + c] = c < g.C ? weight[(o * g.C + c) * 9 + t] : 0;
        fixed (float* pdx = dx, pdy = dout)
        {
            var work = new DataWork { Dx = pdx, Dy = pdy, Weight = packed, CPadded = cPadded, G = g, Accumulate = accumulate };
            Run(ref work, g.N, (long)g.N * g.C * g.H * g.W);
        }
    }

    // dweight: [OutC, C, 3, 3] (+)=; dbias: [OutC] or empty (+)= channel sums of dout
    public static void BackwardWeights(Span<float> dweight, bool accumulateDWeight, Span<float> dbias, bool accumulateDBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        Check(g, dout.Length, x.Length, dweight.IsEmpty ? g.OutC * g.C * 9 : dweight.Length);
        if (!dbias.IsEmpty)
        {
            if (dbias.Length < g.OutC) throw new ArgumentException("Conv2d: the bias gradient is smaller than the geometry needs.");
            for (int o = 0; o < g.OutC; o++)
            {
                float sum = 0;
                for (int n = 0; n < g.N; n++)
                    sum += System.Numerics.Tensors.TensorPrimitives.Sum(dout.Slice((n * g.OutC + o) * g.OutPlane, g.OutPlane));
                dbias[o] = accumulateDBias ? dbias[o] + sum : sum;
            }
        }
        if (dweight.IsEmpty) return;
        fixed (float* pdw = dweight, pdy = dout, px = x)
        {
            var work = new WeightWork { DWeight = pdw, Dy = pdy, X = px, G = g, Accumulate = accumulateDWeight };
            Run(ref work, g.C, (long)g.N * g.OutC * g.OutPlane * g.C / 8);
        }
    }

    private static void Check(in ConvGeometry g, long output, long input, long weight)
    {
        if (output < (long)g.N * g.OutC * g.OutPlane || input < (long)g.N * g.C * g.H * g.W || weight < g.OutC * g.C * 9)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
    }

    private static void Run<T>(ref T work, int count, long floats) where T : struct, IWorkItem
    {
        if (floats < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, count);
        else Workers.ForBalanced(count, ref work);
    }

    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    // Lanes whose column x0 + lane + offset lies in [0, width), restricted to lanes below limit (the row's end).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Columns(int x0, int offset, int width, int limit)
    {
        var lane = LaneIndex + Vector512.Create(x0);
        var column = lane + Vector512.Create(offset);
        return (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(width))
            & Vector512.LessThan(lane, Vector512.Create(limit))).AsSingle();
    }

    private struct ForwardWork : IWorkItem
    {
        public float* Output, X, Weight, Bias;
        public ConvGeometry G;

        // Samples [start, end).
        public readonly void Run(int start, int end)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, h = g.H, w = g.W, plane = h * w, ph = g.Padding.Height, pw = g.Padding.Width;
            bool wide = g.OutC > 4;
            for (int n = start; n < end; n++)
                for (int x0 = 0; x0 < ow; x0 += 16)
                {
                    var m0 = Columns(x0, -pw, w, ow);
                    var m1 = Columns(x0, 1 - pw, w, ow);
                    var m2 = Columns(x0, 2 - pw, w, ow);
                    var store = Vector512.LessThan(LaneIndex + Vector512.Create(x0), Vector512.Create(ow)).AsSingle();
                    for (int y = 0; y < oh; y++)
                    {
                        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                        for (int c = 0; c < g.C; c++)
                        {
                            float* image = X + ((nint)n * g.C + c) * plane + x0 - pw;
                            float* wc = Weight + c * 72;
                            for (int i = 0; i < 3; i++)
                            {
                                int ih = y - ph + i;
                                if ((uint)ih >= (uint)h) continue;
                                float* row = image + ih * w;
                                float* wt = wc + i * 24;
                                Accumulate(Avx512F.MaskLoad(row, m0, Vector512<float>.Zero), wt, wide, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                                Accumulate(Avx512F.MaskLoad(row + 1, m1, Vector512<float>.Zero), wt + 8, wide, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                                Accumulate(Avx512F.MaskLoad(row + 2, m2, Vector512<float>.Zero), wt + 16, wide, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                            }
                        }
                        float* dst = Output + (nint)n * g.OutC * oh * ow + y * ow + x0;
                        nint step = (nint)oh * ow;
                        Put(dst, store, a0, 0); if (g.OutC > 1) Put(dst + step, store, a1, 1); if (g.OutC > 2) Put(dst + 2 * step, store, a2, 2);
                        if (g.OutC > 3) Put(dst + 3 * step, store, a3, 3); if (g.OutC > 4) Put(dst + 4 * step, store, a4, 4);
                        if (g.OutC > 5) Put(dst + 5 * step, store, a5, 5); if (g.OutC > 6) Put(dst + 6 * step, store, a6, 6);
                        if (g.OutC > 7) Put(dst + 7 * step, store, a7, 7);
                    }
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Put(float* dst, Vector512<float> store, Vector512<float> sum, int o)
            => Avx512F.MaskStore(dst, store, Bias is null ? sum : sum + Vector512.Create(Bias[o]));
    }

    // acc[o] += w[o]·tap for the 4 (or 8 when wide) output channels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector512<float> tap, float* w, bool wide, ref Vector512<float> a0, ref Vector512<float> a1,
        ref Vector512<float> a2, ref Vector512<float> a3, ref Vector512<float> a4, ref Vector512<float> a5, ref Vector512<float> a6, ref Vector512<float> a7)
    {
        a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[0]), tap, a0);
        a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[1]), tap, a1);
        a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[2]), tap, a2);
        a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[3]), tap, a3);
        if (!wide) return;
        a4 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[4]), tap, a4);
        a5 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[5]), tap, a5);
        a6 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[6]), tap, a6);
        a7 = Avx512F.FusedMultiplyAdd(Vector512.Create(w[7]), tap, a7);
    }

    private struct DataWork : IWorkItem
    {
        public float* Dx, Dy, Weight;
        public int CPadded;
        public ConvGeometry G;
        public bool Accumulate;

        // Samples [start, end): dx[c, y, x] = Σ_o Σ_(i,j) w[o, c, i, j]·dy[o, y + ph - i, x + pw - j], eight channels c at a time.
        public readonly void Run(int start, int end)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, h = g.H, w = g.W, ph = g.Padding.Height, pw = g.Padding.Width;
            nint outPlane = (nint)oh * ow, inPlane = (nint)h * w;
            for (int n = start; n < end; n++)
                for (int x0 = 0; x0 < w; x0 += 16)
                {
                    // Tap j reads dy column x + pw - j.
                    var m0 = Columns(x0, pw, ow, w);
                    var m1 = Columns(x0, pw - 1, ow, w);
                    var m2 = Columns(x0, pw - 2, ow, w);
                    var store = Vector512.LessThan(LaneIndex + Vector512.Create(x0), Vector512.Create(w)).AsSingle();
                    for (int y = 0; y < h; y++)
                        for (int c0 = 0; c0 < g.C; c0 += 8)
                        {
                            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                            for (int o = 0; o < g.OutC; o++)
                            {
                                float* dy = Dy + ((nint)n * g.OutC + o) * outPlane + x0 + pw;
                                for (int i = 0; i < 3; i++)
                                {
                                    int oy = y + ph - i;
                                    if ((uint)oy >= (uint)oh) continue;
                                    float* row = dy + oy * ow;
                                    float* wt = Weight + (o * 9 + i * 3) * CPadded + c0;
                                    Accumulate(Avx512F.MaskLoad(row, m0, Vector512<float>.Zero), wt, true, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                                    Accumulate(Avx512F.MaskLoad(row - 1, m1, Vector512<float>.Zero), wt + CPadded, true, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                                    Accumulate(Avx512F.MaskLoad(row - 2, m2, Vector512<float>.Zero), wt + 2 * CPadded, true, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                                }
                            }
                            float* dst = Dx + ((nint)n * g.C + c0) * inPlane + y * w + x0;
                            int count = Math.Min(8, g.C - c0);
                            Put(dst, store, a0); if (count > 1) Put(dst + inPlane, store, a1); if (count > 2) Put(dst + 2 * inPlane, store, a2);
                            if (count > 3) Put(dst + 3 * inPlane, store, a3); if (count > 4) Put(dst + 4 * inPlane, store, a4);
                            if (count > 5) Put(dst + 5 * inPlane, store, a5); if (count > 6) Put(dst + 6 * inPlane, store, a6);
                            if (count > 7) Put(dst + 7 * inPlane, store, a7);
                        }
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Put(float* dst, Vector512<float> store, Vector512<float> sum)
        {
            if (Accumulate) sum += Avx512F.MaskLoad(dst, store, Vector512<float>.Zero);
            Avx512F.MaskStore(dst, store, sum);
        }
    }

    private struct WeightWork : IWorkItem
    {
        public float* DWeight, Dy, X;
        public ConvGeometry G;
        public bool Accumulate;

        // Input channels [start, end): dW[o, c, i, j] = Σ dy[n, o, y, x]·x[n, c, y - ph + i, x - pw + j], one kernel row i at a
        // time with its 3·OutC sums (≤ 24) in registers.
        public readonly void Run(int start, int end)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, h = g.H, w = g.W, ph = g.Padding.Height, pw = g.Padding.Width, oc = g.OutC;
            nint outPlane = (nint)oh * ow, inPlane = (nint)h * w;
            var z = Vector512<float>.Zero;
            for (int c = start; c < end; c++)
                for (int i = 0; i < 3; i++)
                {
                    Vector512<float> s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z, s20 = z, s21 = z, s22 = z, s30 = z, s31 = z, s32 = z;
                    Vector512<float> s40 = z, s41 = z, s42 = z, s50 = z, s51 = z, s52 = z, s60 = z, s61 = z, s62 = z, s70 = z, s71 = z, s72 = z;
                    for (int x0 = 0; x0 < ow; x0 += 16)
                    {
                        var m0 = Columns(x0, -pw, w, ow);
                        var m1 = Columns(x0, 1 - pw, w, ow);
                        var m2 = Columns(x0, 2 - pw, w, ow);
                        var store = Vector512.LessThan(LaneIndex + Vector512.Create(x0), Vector512.Create(ow)).AsSingle();
                        for (int n = 0; n < g.N; n++)
                        {
                            float* image = X + ((nint)n * g.C + c) * inPlane + x0 - pw;
                            float* dyBase = Dy + (nint)n * oc * outPlane + x0;
                            for (int y = Math.Max(0, ph - i); y < Math.Min(oh, h + ph - i); y++)
                            {
                                float* row = image + (y - ph + i) * w;
                                var t0 = Avx512F.MaskLoad(row, m0, z);
                                var t1 = Avx512F.MaskLoad(row + 1, m1, z);
                                var t2 = Avx512F.MaskLoad(row + 2, m2, z);
                                float* dy = dyBase + y * ow;
                                var d = Avx512F.MaskLoad(dy, store, z);
                                s00 = Avx512F.FusedMultiplyAdd(d, t0, s00); s01 = Avx512F.FusedMultiplyAdd(d, t1, s01); s02 = Avx512F.FusedMultiplyAdd(d, t2, s02);
                                if (oc < 2) continue;
                                d = Avx512F.MaskLoad(dy + outPlane, store, z);
                                s10 = Avx512F.FusedMultiplyAdd(d, t0, s10); s11 = Avx512F.FusedMultiplyAdd(d, t1, s11); s12 = Avx512F.FusedMultiplyAdd(d, t2, s12);
                                if (oc < 3) continue;
                                d = Avx512F.MaskLoad(dy + 2 * outPlane, store, z);
                                s20 = Avx512F.FusedMultiplyAdd(d, t0, s20); s21 = Avx512F.FusedMultiplyAdd(d, t1, s21); s22 = Avx512F.FusedMultiplyAdd(d, t2, s22);
                                if (oc < 4) continue;
                                d = Avx512F.MaskLoad(dy + 3 * outPlane, store, z);
                                s30 = Avx512F.FusedMultiplyAdd(d, t0, s30); s31 = Avx512F.FusedMultiplyAdd(d, t1, s31); s32 = Avx512F.FusedMultiplyAdd(d, t2, s32);
                                if (oc < 5) continue;
                                d = Avx512F.MaskLoad(dy + 4 * outPlane, store, z);
                                s40 = Avx512F.FusedMultiplyAdd(d, t0, s40); s41 = Avx512F.FusedMultiplyAdd(d, t1, s41); s42 = Avx512F.FusedMultiplyAdd(d, t2, s42);
                                if (oc < 6) continue;
                                d = Avx512F.MaskLoad(dy + 5 * outPlane, store, z);
                                s50 = Avx512F.FusedMultiplyAdd(d, t0, s50); s51 = Avx512F.FusedMultiplyAdd(d, t1, s51); s52 = Avx512F.FusedMultiplyAdd(d, t2, s52);
                                if (oc < 7) continue;
                                d = Avx512F.MaskLoad(dy + 6 * outPlane, store, z);
                                s60 = Avx512F.FusedMultiplyAdd(d, t0, s60); s61 = Avx512F.FusedMultiplyAdd(d, t1, s61); s62 = Avx512F.FusedMultiplyAdd(d, t2, s62);
                                if (oc < 8) continue;
                                d = Avx512F.MaskLoad(dy + 7 * outPlane, store, z);
                                s70 = Avx512F.FusedMultiplyAdd(d, t0, s70); s71 = Avx512F.FusedMultiplyAdd(d, t1, s71); s72 = Avx512F.FusedMultiplyAdd(d, t2, s72);
                            }
                        }
                    }
                    Write(0, c, i, s00, s01, s02); Write(1, c, i, s10, s11, s12); Write(2, c, i, s20, s21, s22); Write(3, c, i, s30, s31, s32);
                    Write(4, c, i, s40, s41, s42); Write(5, c, i, s50, s51, s52); Write(6, c, i, s60, s61, s62); Write(7, c, i, s70, s71, s72);
                }
        }

        private readonly void Write(int o, int c, int i, Vector512<float> j0, Vector512<float> j1, Vector512<float> j2)
        {
            if (o >= G.OutC) return;
            float* target = DWeight + ((nint)(o * G.C + c) * 3 + i) * 3;
            float a = Vector512.Sum(j0), b = Vector512.Sum(j1), e = Vector512.Sum(j2);
            if (Accumulate) { target[0] += a; target[1] += b; target[2] += e; }
            else { target[0] = a; target[1] = b; target[2] = e; }
        }
    }
}
