using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// Direct 3x3, stride-1 convolution of a one-channel input (a network's first layer on grey images): with k = 9 a
/// GEMM is all memory traffic, so each output row is 9 broadcast FMAs over input rows held in registers.
/// Forward is split across the workers by sample, the weight gradient by output channel (each channel's sums are
/// formed by one thread in a fixed order, so results do not depend on the thread count).
/// </summary>
internal static unsafe class SingleChannelConvolution
{
    /// <summary>Whether this kernel handles the geometry (the input gradient always takes the general path).</summary>
    public static bool Handles(in ConvGeometry g) =>
        Avx512F.IsSupported && g.C == 1 && g.Kernel == new Size2d(3, 3) && g.Stride == new Size2d(1, 1);

    // Below this many output floats the kernel runs on the calling thread.
    private const long ParallelFloats = 32 * 1024;

    // output: [N, OutC, OH, OW]; x: [N, 1, H, W]; weight: [OutC, 1, 3, 3]; bias: [OutC] or empty
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in ConvGeometry g)
    {
        if (output.Length < (long)g.N * g.OutC * g.OutPlane || x.Length < (long)g.N * g.H * g.W || weight.Length < g.OutC * 9)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* po = output, px = x, pw = weight, pb = bias)
        {
            var work = new ForwardWork { Output = po, X = px, Weight = pw, Bias = bias.IsEmpty ? null : pb, G = g };
            if ((long)g.N * g.OutC * g.OutPlane < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, g.N);
            else Workers.ForBalanced(g.N, ref work);
        }
    }

    // Inference: the forward pass (+ bias, max(·, 0) with relu) max-pooled 2x2 with stride 2 as it is written (floor
    // mode). pooled: [N, OutC, OH / 2, OW / 2]; the other arguments as in Forward.
    public static void ForwardPooled(Span<float> pooled, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in ConvGeometry g, bool relu)
    {
        if (pooled.Length < (long)g.N * g.OutC * (g.OH / 2) * (g.OW / 2) || x.Length < (long)g.N * g.H * g.W || weight.Length < g.OutC * 9)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* po = pooled, px = x, pw = weight, pb = bias)
        {
            var work = new PooledWork { Output = po, X = px, Weight = pw, Bias = bias.IsEmpty ? null : pb, G = g, Relu = relu };
            if ((long)g.N * g.OutC * g.OutPlane < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, g.N);
            else Workers.ForBalanced(g.N, ref work);
        }
    }

    // dweight: [OutC, 1, 3, 3] or empty; dbias: [OutC] or empty; dout: [N, OutC, OH, OW]; x: [N, 1, H, W]. Overwritten, or added to when accumulate*.
    public static void BackwardWeights(Span<float> dweight, bool accumulateDWeight, Span<float> dbias, bool accumulateDBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        if (dout.Length < (long)g.N * g.OutC * g.OutPlane || x.Length < (long)g.N * g.H * g.W)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        if ((!dweight.IsEmpty && dweight.Length < g.OutC * 9) || (!dbias.IsEmpty && dbias.Length < g.OutC))
            throw new ArgumentException("Conv2d: a gradient buffer is smaller than the geometry needs.");
        fixed (float* pdw = dweight, pdb = dbias, pdy = dout, px = x)
        {
            var work = new WeightWork
            {
                DWeight = dweight.IsEmpty ? null : pdw, DBias = dbias.IsEmpty ? null : pdb, Dy = pdy, X = px, G = g,
                AccumulateDWeight = accumulateDWeight, AccumulateDBias = accumulateDBias,
            };
            int pairs = (g.OutC + 1) / 2;
            if ((long)g.N * g.OutC * g.OutPlane < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, pairs);
            else Workers.ForBalanced(pairs, ref work);
        }
    }

    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    // The input under tap (i, j) for output columns x0..x0+15 of row y: zero outside the image (the padding) and
    // past the last output column (so a weight gradient never multiplies 0 by an infinite input there).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tap(float* image, in ConvGeometry g, int y, int x0, Vector512<int> lane, Vector512<float> outputs, int i, int j)
    {
        int ih = y - g.Padding.Height + i;
        if ((uint)ih >= (uint)g.H) return Vector512<float>.Zero;
        var column = lane + Vector512.Create(j - g.Padding.Width);
        var inside = (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(g.W))).AsSingle() & outputs;
        return Avx512F.MaskLoad(image + ih * g.W + x0 - g.Padding.Width + j, inside, Vector512<float>.Zero);
    }

    // Lanes whose tap column x - pw + j lies inside the image, restricted to output columns (outputs).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnMask(Vector512<int> lane, Vector512<float> outputs, in ConvGeometry g, int j)
    {
        var column = lane + Vector512.Create(j - g.Padding.Width);
        return (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(g.W))).AsSingle() & outputs;
    }

    private struct ForwardWork : IWorkItem
    {
        public float* Output, X, Weight, Bias;
        public ConvGeometry G;

        // Samples [start, end).
        public readonly void Run(int start, int end)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, plane = g.OutPlane;
            for (int n = start; n < end; n++)
            {
                float* image = X + (nint)n * g.H * g.W;
                float* o = Output + (nint)n * g.OutC * plane;
                for (int y = 0; y < oh; y++)
                    for (int x0 = 0; x0 < ow; x0 += 16)
                    {
                        var lane = LaneIndex + Vector512.Create(x0);
                        var store = Vector512.LessThan(lane, Vector512.Create(ow)).AsSingle();
                        var v00 = Tap(image, g, y, x0, lane, store, 0, 0); var v01 = Tap(image, g, y, x0, lane, store, 0, 1); var v02 = Tap(image, g, y, x0, lane, store, 0, 2);
                        var v10 = Tap(image, g, y, x0, lane, store, 1, 0); var v11 = Tap(image, g, y, x0, lane, store, 1, 1); var v12 = Tap(image, g, y, x0, lane, store, 1, 2);
                        var v20 = Tap(image, g, y, x0, lane, store, 2, 0); var v21 = Tap(image, g, y, x0, lane, store, 2, 1); var v22 = Tap(image, g, y, x0, lane, store, 2, 2);
                        float* dst = o + y * ow + x0;
                        float* w = Weight;
                        for (int oc = 0; oc < g.OutC; oc++, w += 9, dst += plane)
                        {
                            var acc = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[oc]);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[0]), v00, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[1]), v01, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[2]), v02, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[3]), v10, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[4]), v11, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[5]), v12, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[6]), v20, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[7]), v21, acc);
                            acc = Avx512F.FusedMultiplyAdd(Vector512.Create(w[8]), v22, acc);
                            Avx512F.MaskStore(dst, store, acc);
                        }
                    }
            }
        }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
    private static readonly Vector512<int> OddLanes = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 0, 0, 0, 0, 0, 0, 0, 0);

    private struct PooledWork : IWorkItem
    {
        public float* Output, X, Weight, Bias;
        public ConvGeometry G;
        public bool Relu;

        // Samples [start, end): output rows 2py and 2py + 1, 16 columns at a time, give 8 pooled values of pooled row py.
        public readonly void Run(int start, int end)
        {
            var g = G;
            int ph = g.OH / 2, pw = g.OW / 2, plane = ph * pw, width = 2 * pw;
            for (int n = start; n < end; n++)
            {
                float* image = X + (nint)n * g.H * g.W;
                float* o = Output + (nint)n * g.OutC * plane;
                for (int py = 0; py < ph; py++)
                    for (int x0 = 0; x0 < width; x0 += 16)
                    {
                        int y = 2 * py;
                        var lane = LaneIndex + Vector512.Create(x0);
                        var columns = Vector512.LessThan(lane, Vector512.Create(width)).AsSingle();
                        var store = Vector512.LessThan(LaneIndex, Vector512.Create(Math.Min(8, pw - x0 / 2))).AsSingle();
                        // Input rows y .. y + 3 under the two output rows' taps.
                        var r00 = Tap(image, g, y, x0, lane, columns, 0, 0); var r01 = Tap(image, g, y, x0, lane, columns, 0, 1); var r02 = Tap(image, g, y, x0, lane, columns, 0, 2);
                        var r10 = Tap(image, g, y, x0, lane, columns, 1, 0); var r11 = Tap(image, g, y, x0, lane, columns, 1, 1); var r12 = Tap(image, g, y, x0, lane, columns, 1, 2);
                        var r20 = Tap(image, g, y, x0, lane, columns, 2, 0); var r21 = Tap(image, g, y, x0, lane, columns, 2, 1); var r22 = Tap(image, g, y, x0, lane, columns, 2, 2);
                        var r30 = Tap(image, g, y + 1, x0, lane, columns, 2, 0); var r31 = Tap(image, g, y + 1, x0, lane, columns, 2, 1); var r32 = Tap(image, g, y + 1, x0, lane, columns, 2, 2);
                        float* dst = o + py * pw + x0 / 2;
                        float* w = Weight;
                        for (int oc = 0; oc < g.OutC; oc++, w += 9, dst += plane)
                        {
                            var top = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[oc]);
                            var bottom = top;
                            var w0 = Vector512.Create(w[0]); var w1 = Vector512.Create(w[1]); var w2 = Vector512.Create(w[2]);
                            top = Avx512F.FusedMultiplyAdd(w0, r00, top); bottom = Avx512F.FusedMultiplyAdd(w0, r10, bottom);
                            top = Avx512F.FusedMultiplyAdd(w1, r01, top); bottom = Avx512F.FusedMultiplyAdd(w1, r11, bottom);
                            top = Avx512F.FusedMultiplyAdd(w2, r02, top); bottom = Avx512F.FusedMultiplyAdd(w2, r12, bottom);
                            w0 = Vector512.Create(w[3]); w1 = Vector512.Create(w[4]); w2 = Vector512.Create(w[5]);
                            top = Avx512F.FusedMultiplyAdd(w0, r10, top); bottom = Avx512F.FusedMultiplyAdd(w0, r20, bottom);
                            top = Avx512F.FusedMultiplyAdd(w1, r11, top); bottom = Avx512F.FusedMultiplyAdd(w1, r21, bottom);
                            top = Avx512F.FusedMultiplyAdd(w2, r12, top); bottom = Avx512F.FusedMultiplyAdd(w2, r22, bottom);
                            w0 = Vector512.Create(w[6]); w1 = Vector512.Create(w[7]); w2 = Vector512.Create(w[8]);
                            top = Avx512F.FusedMultiplyAdd(w0, r20, top); bottom = Avx512F.FusedMultiplyAdd(w0, r30, bottom);
                            top = Avx512F.FusedMultiplyAdd(w1, r21, top); bottom = Avx512F.FusedMultiplyAdd(w1, r31, bottom);
                            top = Avx512F.FusedMultiplyAdd(w2, r22, top); bottom = Avx512F.FusedMultiplyAdd(w2, r32, bottom);
                            if (Relu)
                            {
                                top = Vector512.Max(top, Vector512<float>.Zero);
                                bottom = Vector512.Max(bottom, Vector512<float>.Zero);
                            }
                            var rows = Vector512.Max(top, bottom);
                            var pooled = Vector512.Max(Avx512F.PermuteVar16x32(rows, EvenLanes), Avx512F.PermuteVar16x32(rows, OddLanes));
                            Avx512F.MaskStore(dst, store, pooled);
                        }
                    }
            }
        }
    }

    private struct WeightWork : IWorkItem
    {
        public float* DWeight, DBias, Dy, X;
        public ConvGeometry G;
        public bool AccumulateDWeight, AccumulateDBias;

        // Pairs of output channels [2·start, 2·end): dW[oc, i, j] = Σ dy[n, oc, y, x]·x[n, y - ph + i, x - pw + j],
        // dbias[oc] = Σ dy[n, oc]. Two channels share each load of the nine input taps (29 of the 32 registers).
        public readonly void Run(int start, int end)
        {
            var g = G;
            int oh = g.OH, ow = g.OW, plane = g.OutPlane;
            for (int pair = start; pair < end; pair++)
            {
                int oc0 = 2 * pair, oc1 = Math.Min(oc0 + 1, g.OutC - 1);
                Vector512<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default, sum0 = default;
                Vector512<float> b00 = default, b01 = default, b02 = default, b10 = default, b11 = default, b12 = default;
                Vector512<float> b20 = default, b21 = default, b22 = default, sum1 = default;
                for (int x0 = 0; x0 < ow; x0 += 16)
                {
                    // Lanes of the three tap columns that land inside the image (and on an output column), for every row.
                    var lane = LaneIndex + Vector512.Create(x0);
                    var store = Vector512.LessThan(lane, Vector512.Create(ow)).AsSingle();
                    var m0 = ColumnMask(lane, store, g, 0);
                    var m1 = ColumnMask(lane, store, g, 1);
                    var m2 = ColumnMask(lane, store, g, 2);
                    for (int n = 0; n < g.N; n++)
                    {
                        float* image = X + (nint)n * g.H * g.W + x0 - g.Padding.Width;
                        float* dy0 = Dy + ((nint)n * g.OutC + oc0) * plane + x0, dy1 = Dy + ((nint)n * g.OutC + oc1) * plane + x0;
                        for (int y = 0; y < oh; y++)
                        {
                            var d0 = Avx512F.MaskLoad(dy0 + y * ow, store, Vector512<float>.Zero);
                            var d1 = Avx512F.MaskLoad(dy1 + y * ow, store, Vector512<float>.Zero);
                            sum0 += d0;
                            sum1 += d1;
                            int ih = y - g.Padding.Height;
                            if ((uint)ih < (uint)g.H)
                            {
                                float* r = image + ih * g.W;
                                var t = Avx512F.MaskLoad(r, m0, Vector512<float>.Zero); a00 = Avx512F.FusedMultiplyAdd(d0, t, a00); b00 = Avx512F.FusedMultiplyAdd(d1, t, b00);
                                t = Avx512F.MaskLoad(r + 1, m1, Vector512<float>.Zero); a01 = Avx512F.FusedMultiplyAdd(d0, t, a01); b01 = Avx512F.FusedMultiplyAdd(d1, t, b01);
                                t = Avx512F.MaskLoad(r + 2, m2, Vector512<float>.Zero); a02 = Avx512F.FusedMultiplyAdd(d0, t, a02); b02 = Avx512F.FusedMultiplyAdd(d1, t, b02);
                            }
                            if ((uint)(ih + 1) < (uint)g.H)
                            {
                                float* r = image + (ih + 1) * g.W;
                                var t = Avx512F.MaskLoad(r, m0, Vector512<float>.Zero); a10 = Avx512F.FusedMultiplyAdd(d0, t, a10); b10 = Avx512F.FusedMultiplyAdd(d1, t, b10);
                                t = Avx512F.MaskLoad(r + 1, m1, Vector512<float>.Zero); a11 = Avx512F.FusedMultiplyAdd(d0, t, a11); b11 = Avx512F.FusedMultiplyAdd(d1, t, b11);
                                t = Avx512F.MaskLoad(r + 2, m2, Vector512<float>.Zero); a12 = Avx512F.FusedMultiplyAdd(d0, t, a12); b12 = Avx512F.FusedMultiplyAdd(d1, t, b12);
                            }
                            if ((uint)(ih + 2) < (uint)g.H)
                            {
                                float* r = image + (ih + 2) * g.W;
                                var t = Avx512F.MaskLoad(r, m0, Vector512<float>.Zero); a20 = Avx512F.FusedMultiplyAdd(d0, t, a20); b20 = Avx512F.FusedMultiplyAdd(d1, t, b20);
                                t = Avx512F.MaskLoad(r + 1, m1, Vector512<float>.Zero); a21 = Avx512F.FusedMultiplyAdd(d0, t, a21); b21 = Avx512F.FusedMultiplyAdd(d1, t, b21);
                                t = Avx512F.MaskLoad(r + 2, m2, Vector512<float>.Zero); a22 = Avx512F.FusedMultiplyAdd(d0, t, a22); b22 = Avx512F.FusedMultiplyAdd(d1, t, b22);
                            }
                        }
                    }
                }
                Write(oc0, a00, a01, a02, a10, a11, a12, a20, a21, a22, sum0);
                if (oc1 != oc0) Write(oc1, b00, b01, b02, b10, b11, b12, b20, b21, b22, sum1);
            }
        }

        private readonly void Write(int oc, Vector512<float> a00, Vector512<float> a01, Vector512<float> a02, Vector512<float> a10,
            Vector512<float> a11, Vector512<float> a12, Vector512<float> a20, Vector512<float> a21, Vector512<float> a22, Vector512<float> sum)
        {
            if (DWeight is not null)
            {
                float* w = DWeight + oc * 9;
                Put(w, a00, AccumulateDWeight); Put(w + 1, a01, AccumulateDWeight); Put(w + 2, a02, AccumulateDWeight);
                Put(w + 3, a10, AccumulateDWeight); Put(w + 4, a11, AccumulateDWeight); Put(w + 5, a12, AccumulateDWeight);
                Put(w + 6, a20, AccumulateDWeight); Put(w + 7, a21, AccumulateDWeight); Put(w + 8, a22, AccumulateDWeight);
            }
            if (DBias is not null) Put(DBias + oc, sum, AccumulateDBias);
        }

        private static void Put(float* target, Vector512<float> lanes, bool accumulate)
        {
            float total = Vector512.Sum(lanes);
            *target = accumulate ? *target + total : total;
        }
    }
}
