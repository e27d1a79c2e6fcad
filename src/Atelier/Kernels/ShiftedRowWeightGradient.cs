using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// The weight gradient of a 3x3 stride-1 convolution with few channels (resnet-small's 16 -> 16 on 28x28), with no
/// column matrix: dW[o, c, i, j] = Σ dY[o, y, x]·X[c, y - ph + i, x - pw + j] is, for each kernel row i, three shifted
/// row products per channel pair. For 8 output channels at a time the 24 sums of one input channel and kernel row
/// stay in registers while the sample's rows stream past: 11 loads for 24 multiply-adds. By im2col the same layer
/// packs a 144 x 784 column matrix per sample for a GEMM only 16 rows tall, and was bound by that packing (3.7 ms on
/// one thread at batch 64). Samples fall into groups fixed by the batch size, each summed in order on one thread and
/// the groups added in order, so results do not depend on the thread count.
/// </summary>
internal static unsafe class ShiftedRowWeightGradient
{
    /// <summary>
    /// Whether this kernel takes the weight gradient: 3x3, stride 1, padding at most 1, more than the 8 output channels
    /// <see cref="NarrowConvolution"/> takes, and fewer channels than Winograd's gradients need (see
    /// <see cref="WinogradConvolution.HandlesBackward"/>), on rows of at least 8 pixels so most vector lanes work.
    /// </summary>
    public static bool Handles(in ConvGeometry g) =>
        Avx512F.IsSupported && g.Kernel == new Size2d(3, 3) && g.Stride == new Size2d(1, 1) && g.Padding.Height <= 1
        && g.Padding.Width <= 1 && g.OutC > 8 && g.C >= 2 && Math.Min(g.C, g.OutC) < 32 && g.C <= MaxChannels
        && g.OutC <= MaxChannels && g.OW >= 8 && g.OH >= 1 && !WinogradConvolution.HandlesBackward(g);

    private const int MaxChannels = 64;

    private const int Lanes = 16;

    // dweight: [OutC, C, 3, 3] (+)= the weight gradient, summed in sample groups (WeightGradientGroups); dbias: [OutC]
    // (+)= Σ dY (either may be empty); dout: [N, OutC, OH, OW]; x: [N, C, H, W].
    public static void BackwardWeights(Span<float> dweight, bool accumulateWeight, Span<float> dbias, bool accumulateBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        fixed (float* pdy = dout, px = x)
            WeightGradientGroups.Run(dweight, accumulateWeight, dbias, accumulateBias, dout, x, g, g.OutC * g.C * 9,
                new GroupSum { Dy = pdy, X = px, G = g });
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

    private readonly struct GroupSum : WeightGradientGroups.IGroupSum
    {
        public float* Dy { get; init; }
        public float* X { get; init; }
        public ConvGeometry G { get; init; }

        // Sums samples [first, last) in order into 16-lane sums per weight (the thread's scratch), then writes their
        // lane totals into partial.
        public void Sum(float* partial, int first, int last)
        {
            int weights = G.OutC * G.C * 9;
            var lanes = Scratch.Lanes(weights * Lanes);
            lanes.Clear();
            fixed (float* pl = lanes)
            {
                for (int n = first; n < last; n++) Sample(pl, n);
                for (int w = 0; w < weights; w++) partial[w] = Vector512.Sum(Vector512.Load(pl + (nint)w * Lanes));
            }
        }

        // Adds sample n's products into lanes: [OutC, C, 3, 3] vectors of 16 lane sums.
        private void Sample(float* lanes, int n)
        {
            var g = G;
            nint outPlane = (nint)g.OutPlane, inPlane = (nint)g.H * g.W;
            float* dySample = Dy + (nint)n * g.OutC * outPlane, xSample = X + (nint)n * g.C * inPlane;
            for (int o0 = 0; o0 < g.OutC; o0 += 8)
            {
                int count = Math.Min(8, g.OutC - o0);
                for (int c = 0; c < g.C; c++)
                    for (int i = 0; i < 3; i++)
                        Row(lanes, dySample + o0 * outPlane, xSample + c * inPlane, o0, count, c, i, outPlane);
            }
        }

        // The 3·count sums of kernel row i between input channel c and output channels [o0, o0 + count), over one sample.
        private void Row(float* lanes, float* dyBlock, float* image, int o0, int count, int c, int i, nint outPlane)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, h = g.H, w = g.W, ph = g.Padding.Height, pw = g.Padding.Width;
            var z = Vector512<float>.Zero;
            Vector512<float> s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z, s20 = z, s21 = z, s22 = z, s30 = z, s31 = z, s32 = z;
            Vector512<float> s40 = z, s41 = z, s42 = z, s50 = z, s51 = z, s52 = z, s60 = z, s61 = z, s62 = z, s70 = z, s71 = z, s72 = z;
            int yFirst = Math.Max(0, ph - i), yEnd = Math.Min(oh, h + ph - i);
            for (int x0 = 0; x0 < ow; x0 += Lanes)
            {
                var m0 = Columns(x0, -pw, w, ow);
                var m1 = Columns(x0, 1 - pw, w, ow);
                var m2 = Columns(x0, 2 - pw, w, ow);
                var store = Vector512.LessThan(LaneIndex + Vector512.Create(x0), Vector512.Create(ow)).AsSingle();
                for (int y = yFirst; y < yEnd; y++)
                {
                    float* row = image + (y - ph + i) * w + x0 - pw;
                    var t0 = Avx512F.MaskLoad(row, m0, z);
                    var t1 = Avx512F.MaskLoad(row + 1, m1, z);
                    var t2 = Avx512F.MaskLoad(row + 2, m2, z);
                    float* dy = dyBlock + y * ow + x0;
                    var d = Avx512F.MaskLoad(dy, store, z);
                    s00 = Avx512F.FusedMultiplyAdd(d, t0, s00); s01 = Avx512F.FusedMultiplyAdd(d, t1, s01); s02 = Avx512F.FusedMultiplyAdd(d, t2, s02);
                    if (count < 2) continue;
                    d = Avx512F.MaskLoad(dy + outPlane, store, z);
                    s10 = Avx512F.FusedMultiplyAdd(d, t0, s10); s11 = Avx512F.FusedMultiplyAdd(d, t1, s11); s12 = Avx512F.FusedMultiplyAdd(d, t2, s12);
                    if (count < 3) continue;
                    d = Avx512F.MaskLoad(dy + 2 * outPlane, store, z);
                    s20 = Avx512F.FusedMultiplyAdd(d, t0, s20); s21 = Avx512F.FusedMultiplyAdd(d, t1, s21); s22 = Avx512F.FusedMultiplyAdd(d, t2, s22);
                    if (count < 4) continue;
                    d = Avx512F.MaskLoad(dy + 3 * outPlane, store, z);
                    s30 = Avx512F.FusedMultiplyAdd(d, t0, s30); s31 = Avx512F.FusedMultiplyAdd(d, t1, s31); s32 = Avx512F.FusedMultiplyAdd(d, t2, s32);
                    if (count < 5) continue;
                    d = Avx512F.MaskLoad(dy + 4 * outPlane, store, z);
                    s40 = Avx512F.FusedMultiplyAdd(d, t0, s40); s41 = Avx512F.FusedMultiplyAdd(d, t1, s41); s42 = Avx512F.FusedMultiplyAdd(d, t2, s42);
                    if (count < 6) continue;
                    d = Avx512F.MaskLoad(dy + 5 * outPlane, store, z);
                    s50 = Avx512F.FusedMultiplyAdd(d, t0, s50); s51 = Avx512F.FusedMultiplyAdd(d, t1, s51); s52 = Avx512F.FusedMultiplyAdd(d, t2, s52);
                    if (count < 7) continue;
                    d = Avx512F.MaskLoad(dy + 6 * outPlane, store, z);
                    s60 = Avx512F.FusedMultiplyAdd(d, t0, s60); s61 = Avx512F.FusedMultiplyAdd(d, t1, s61); s62 = Avx512F.FusedMultiplyAdd(d, t2, s62);
                    if (count < 8) continue;
                    d = Avx512F.MaskLoad(dy + 7 * outPlane, store, z);
                    s70 = Avx512F.FusedMultiplyAdd(d, t0, s70); s71 = Avx512F.FusedMultiplyAdd(d, t1, s71); s72 = Avx512F.FusedMultiplyAdd(d, t2, s72);
                }
            }
            Add(lanes, o0, c, i, 0, count, s00, s01, s02); Add(lanes, o0, c, i, 1, count, s10, s11, s12);
            Add(lanes, o0, c, i, 2, count, s20, s21, s22); Add(lanes, o0, c, i, 3, count, s30, s31, s32);
            Add(lanes, o0, c, i, 4, count, s40, s41, s42); Add(lanes, o0, c, i, 5, count, s50, s51, s52);
            Add(lanes, o0, c, i, 6, count, s60, s61, s62); Add(lanes, o0, c, i, 7, count, s70, s71, s72);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Add(float* lanes, int o0, int c, int i, int o, int count, Vector512<float> j0, Vector512<float> j1, Vector512<float> j2)
        {
            if (o >= count) return;
            float* target = lanes + ((nint)((o0 + o) * G.C + c) * 9 + i * 3) * Lanes;
            (Vector512.Load(target) + j0).Store(target);
            (Vector512.Load(target + Lanes) + j1).Store(target + Lanes);
            (Vector512.Load(target + 2 * Lanes) + j2).Store(target + 2 * Lanes);
        }
    }

    /// <summary>A thread's lane sums: grown on demand, then reused.</summary>
    private static class Scratch
    {
        [ThreadStatic] private static float[]? lanes;

        public static Span<float> Lanes(int floats)
        {
            if (lanes is null || lanes.Length < floats) lanes = GC.AllocateUninitializedArray<float>(floats);
            return lanes.AsSpan(0, floats);
        }
    }
}
