using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// 2-d convolution (cross-correlation, as PyTorch) on NCHW batches. 3x3 stride-1 layers take a specialised kernel:
/// one input channel → <see cref="SingleChannelConvolution"/> (forward, weight gradient); at most 8 output channels →
/// <see cref="NarrowConvolution"/>; 16+ channels → <see cref="WinogradConvolution"/> (gradients too from 32; below, the
/// weight gradient by <see cref="ShiftedRowWeightGradient"/>).
/// Stride-2 layers larger than 1x1 with output channels in 32s → <see cref="StridedConvolution"/> (input gradient too
/// from 16 input channels).
/// Everything else: a batch with small weights goes one sample a thread, all three passes (<see cref="SampleByThread"/>);
/// other batches, im2col of a batch chunk into [C·kh·kw, nc·OH·OW], then one GEMM per chunk; backward-data is a GEMM
/// then col2im. The chunk is sized so the column matrix and GEMM output stay about 2 MB; callers own the
/// scratch (see <see cref="ColumnsLength"/>, <see cref="StagingLength"/>).
/// </summary>
public static class Convolution
{
    // Floats of column matrix plus GEMM output per chunk (2 MB, an L2): big enough for one large GEMM, small enough to stay in cache.
    private const int ChunkBudget = 1 << 19;

    /// <summary>Samples per chunk: as many as fit the scratch budget, at least one.</summary>
    public static int BatchChunk(in ConvGeometry g)
    {
        long perSample = (long)(g.ColumnRows + g.OutC) * g.OutPlane;
        return (int)Math.Clamp(ChunkBudget / Math.Max(1, perSample), 1, Math.Max(1, g.N));
    }

    /// <summary>Floats of column scratch the kernels need for this geometry (with packed: weights packed for inference).</summary>
    public static int ColumnsLength(in ConvGeometry g, bool packed = false) =>
        packed && PackedWeightConvolution.Prefers(g)
            ? Math.Max(PackedWeightConvolution.ScratchLength(g), g.ColumnRows * Math.Min(BatchChunk(g), g.N) * g.OutPlane)
            : g.ColumnRows * Math.Min(BatchChunk(g), g.N) * g.OutPlane;

    /// <summary>Floats of staging scratch (GEMM output in [OutC, nc·OH·OW] order) the kernels need.</summary>
    public static int StagingLength(in ConvGeometry g)
    {
        int chunk = Math.Min(BatchChunk(g), g.N);
        return chunk > 1 ? g.OutC * chunk * g.OutPlane : 0;
    }

    // A 1x1 kernel with stride 1 and no padding: the image already is its own column matrix.
    internal static bool IsPointwise(in ConvGeometry g) =>
        g.Kernel == new Size2d(1, 1) && g.Stride == new Size2d(1, 1) && g.Padding == new Size2d(0, 0);

    // output: [N, OutC, OH, OW]; x: [N, C, H, W]; weight: [OutC, C, kh, kw]; bias: [OutC] or empty.
    // relu: max(·, 0) applied as the output is written (inference; the backward pass knows nothing of it).
    // winograd: the weight's Winograd filters prepared once (frozen weights), used when that kernel runs; else null.
    // packed: the weights packed once for PackedWeightConvolution (frozen), used where it is preferred (columns then
    // holds its scratch: see ColumnsLength); else null.
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        in ConvGeometry g, Span<float> columns, Span<float> staging, bool relu = false, WinogradFilters? winograd = null,
        GemmPackedRight? packed = null)
    {
        if (packed is not null && PackedWeightConvolution.Prefers(g))
        {
            PackedWeightConvolution.Forward(output, x, packed, bias, g, columns, relu);
            return;
        }
        // The small-channel kernels write few values: after them, ReLU is a pass of its own.
        if (SingleChannelConvolution.Handles(g))
        {
            SingleChannelConvolution.Forward(output, x, weight, bias, g);
            if (relu) ReluInPlace(output, g);
            return;
        }
        if (WinogradConvolution.Handles(g, prepared: winograd is not null))
        {
            WinogradConvolution.Forward(output, x, weight, bias, g, relu, winograd);
            return;
        }
        if (NarrowConvolution.Handles(g))
        {
            NarrowConvolution.Forward(output, x, weight, bias, g);
            if (relu) ReluInPlace(output, g);
            return;
        }
        if (StridedConvolution.Handles(g))
        {
            StridedConvolution.Forward(output, x, weight, bias, g, relu);
            return;
        }
        if (SampleByThread.Suits(g))
        {
            SampleByThread.Forward(output, x, weight, bias, g, relu);
            return;
        }
        int k = g.ColumnRows, p = g.OutPlane, outC = g.OutC, inSample = g.C * g.H * g.W, outSample = outC * p;
        int chunk = BatchChunk(g);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int nc = Math.Min(chunk, g.N - n0), cols = nc * p;
            var xs = x.Slice(n0 * inSample, nc * inSample);
            ReadOnlySpan<float> b;
            if (nc == 1 && IsPointwise(g)) b = xs;
            else
            {
                Im2Col.Gather(columns, xs, g, nc);
                b = columns[..(k * cols)];
            }
            if (nc == 1)
            {
                // One sample: the GEMM's [OutC, OH·OW] result already is the NCHW layout.
                var o = output.Slice(n0 * outSample, outSample);
                Gemm.Multiply(false, false, outC, p, k, weight, b, o, accumulate: false);
                AddBiasAndRelu(o, bias, outC, p, relu);
                continue;
            }
            var s = staging[..(outC * cols)];
            Gemm.Multiply(false, false, outC, cols, k, weight, b, s, accumulate: false);
            StagingCopy.ToSamples(output.Slice(n0 * outSample, nc * outSample), s, bias, outC, nc, p, relu);
        }
    }

    /// <summary>Whether <see cref="ForwardPooled"/> pools as it writes (no full-size output in between) for this geometry.</summary>
    public static bool PoolsInPlace(in ConvGeometry g, bool prepared = false, bool packed = false) =>
        !(packed && PackedWeightConvolution.Prefers(g)) && (SingleChannelConvolution.Handles(g) || WinogradConvolution.PoolsInPlace(g, prepared));

    /// <summary>
    /// Inference: the convolution (+ bias, ReLU with relu) max-pooled 2x2 with stride 2 (floor mode, as
    /// torch.nn.MaxPool2d(2) after it). pooled: [N, OutC, OH / 2, OW / 2]. The one-channel direct kernel and Winograd with
    /// 4x4 tiles pool as they write; every other kernel writes the whole output to full ([N, OutC, OH, OW], scratch) first.
    /// </summary>
    public static void ForwardPooled(Span<float> pooled, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        in ConvGeometry g, Span<float> columns, Span<float> staging, Span<float> full, bool relu = false, WinogradFilters? winograd = null,
        GemmPackedRight? packed = null)
    {
        if (g.OH < 2 || g.OW < 2) throw new ArgumentException($"A 2x2 max pool does not fit a {g.OH}x{g.OW} convolution output.");
        bool packedRuns = packed is not null && PackedWeightConvolution.Prefers(g);
        if (!packedRuns && SingleChannelConvolution.Handles(g))
        {
            SingleChannelConvolution.ForwardPooled(pooled, x, weight, bias, g, relu);
            return;
        }
        if (!packedRuns && WinogradConvolution.PoolsInPlace(g, prepared: winograd is not null))
        {
            WinogradConvolution.Forward(pooled, x, weight, bias, g, relu, winograd, pool: true);
            return;
        }
        Forward(full, x, weight, bias, g, columns, staging, relu, winograd, packed);
        Pooling.MaxForward2x2(pooled, full, new ConvGeometry(g.N, g.OutC, g.OH, g.OW, g.OutC, 2, 2, 0));
    }

    // One sample's [OutC, OH·OW] output (+)= bias[oc] (bias empty: none), then max(·, 0) with relu: per channel, while
    // its row is still in cache.
    internal static void AddBiasAndRelu(Span<float> output, ReadOnlySpan<float> bias, int channels, int plane, bool relu)
    {
        if (bias.IsEmpty && !relu) return;
        for (int oc = 0; oc < channels; oc++)
        {
            var row = output.Slice(oc * plane, plane);
            if (!bias.IsEmpty) TensorPrimitives.Add(row, bias[oc], row);
            if (relu) TensorPrimitives.Max(row, 0f, row);
        }
    }

    private static void ReluInPlace(Span<float> output, in ConvGeometry g)
    {
        var y = output[..(g.N * g.OutC * g.OutPlane)];
        Activations.ReluForward(y, y);
    }

    // dx: [N, C, H, W] or empty (no input gradient); dweight: [OutC, C, kh, kw] or empty; dbias: [OutC] or empty;
    // dout: [N, OutC, OH, OW]; x, weight: as in Forward. Each gradient is added to (accumulate*) or overwritten.
    public static void Backward(Span<float> dx, bool accumulateDx, Span<float> dweight, bool accumulateDWeight,
        Span<float> dbias, bool accumulateDBias, ReadOnlySpan<float> dout, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        in ConvGeometry g, Span<float> columns, Span<float> staging)
    {
        if (SingleChannelConvolution.Handles(g) && (!dweight.IsEmpty || !dbias.IsEmpty))
        {
            SingleChannelConvolution.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            if (dx.IsEmpty) return;
            dweight = default;
            dbias = default;
        }
        if (NarrowConvolution.Handles(g))
        {
            if (!dweight.IsEmpty || !dbias.IsEmpty)
                NarrowConvolution.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            if (!dx.IsEmpty) NarrowConvolution.BackwardData(dx, accumulateDx, dout, weight, g);
            return;
        }
        if (WinogradConvolution.HandlesBackward(g))
        {
            if (!dweight.IsEmpty || !dbias.IsEmpty)
                WinogradConvolution.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            if (!dx.IsEmpty) WinogradConvolution.BackwardData(dx, accumulateDx, dout, weight, g);
            return;
        }
        if (ShiftedRowWeightGradient.Handles(g) && (!dweight.IsEmpty || !dbias.IsEmpty))
        {
            ShiftedRowWeightGradient.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            if (dx.IsEmpty) return;
            dweight = default;
            dbias = default;
        }
        if (dweight.IsEmpty && dbias.IsEmpty && WinogradConvolution.HandlesBackwardData(g))
        {
            if (!dx.IsEmpty) WinogradConvolution.BackwardData(dx, accumulateDx, dout, weight, g);
            return;
        }
        if (StridedConvolution.Handles(g))
        {
            if (!dweight.IsEmpty || !dbias.IsEmpty)
                StridedConvolution.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            if (dx.IsEmpty) return;
            if (StridedConvolution.HandlesBackwardData(g))
            {
                StridedConvolution.BackwardData(dx, accumulateDx, dout, weight, g);
                return;
            }
            dweight = default;
            dbias = default;
        }
        if (SampleByThread.Suits(g))
        {
            if (!dx.IsEmpty) SampleByThread.BackwardData(dx, accumulateDx, dout, weight, g);
            if (!dweight.IsEmpty || !dbias.IsEmpty) SampleByThread.BackwardWeights(dweight, accumulateDWeight, dbias, accumulateDBias, dout, x, g);
            return;
        }
        int k = g.ColumnRows, p = g.OutPlane, outC = g.OutC, inSample = g.C * g.H * g.W, outSample = outC * p;
        int chunk = BatchChunk(g);
        bool pointwise = IsPointwise(g);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int nc = Math.Min(chunk, g.N - n0), cols = nc * p;
            bool first = n0 == 0;

            // dY of the chunk as [OutC, nc·OH·OW], the GEMMs' layout, and its channel sums (the bias gradient).
            ReadOnlySpan<float> dy;
            var dyChunk = dout.Slice(n0 * outSample, nc * outSample);
            if (nc == 1)
            {
                dy = dyChunk;
                if (!dbias.IsEmpty) StagingCopy.SumChannels(dbias, accumulateDBias || !first, dy, outC, cols);
            }
            else
            {
                var s = staging[..(outC * cols)];
                StagingCopy.FromSamples(s, dyChunk, dbias, accumulateDBias || !first, outC, nc, p);
                dy = s;
            }

            var xs = x.Slice(n0 * inSample, nc * inSample);
            if (!dweight.IsEmpty)
            {
                ReadOnlySpan<float> b;
                if (nc == 1 && pointwise) b = xs;
                else
                {
                    Im2Col.Gather(columns, xs, g, nc);
                    b = columns[..(k * cols)];
                }
                // dW[OutC, K] (+)= dY[OutC, cols] · col[K, cols]ᵀ
                Gemm.Multiply(false, true, outC, k, cols, dy, b, dweight, accumulate: accumulateDWeight || !first);
            }

            if (dx.IsEmpty) continue;
            var dxs = dx.Slice(n0 * inSample, nc * inSample);
            if (nc == 1 && pointwise)
            {
                Gemm.Multiply(true, false, k, cols, outC, weight, dy, dxs, accumulate: accumulateDx);
                continue;
            }
            // dcol[K, cols] = Wᵀ · dY, reusing the column scratch (its im2col was consumed above).
            var dcol = columns[..(k * cols)];
            Gemm.Multiply(true, false, k, cols, outC, weight, dy, dcol, accumulate: false);
            if (!accumulateDx) dxs.Clear();
            Im2Col.ScatterAdd(dxs, dcol, g, nc);
        }
    }
}
