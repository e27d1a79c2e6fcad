namespace Atelier.Kernels;

/// <summary>
/// Im2col convolution of a batch with each sample on one thread: its column matrix ([C·kh·kw, OH·OW], a few hundred
/// KB) is built in that thread's scratch and used while it is still in L2. The forward pass multiplies it straight
/// into the sample's NCHW output, the input gradient folds Wᵀ·dY back onto the sample's image, and the weight
/// gradient adds dY·colᵀ into a partial of the sample's group. The batched path builds a chunk's columns (megabytes,
/// past L2) and moves dY and the output through a channel-major staging copy: more passes over memory. Each sample's
/// results depend only on that sample and the groups are fixed by the batch size, so results do not depend on the
/// thread count.
/// </summary>
internal static unsafe class SampleByThread
{
    /// <summary>
    /// Whether the batch goes sample by sample: each sample re-packs the weights for its GEMM, which pays while they are
    /// small. 64 images, 2 threads, ms, batched against by sample: resnet's 32 -> 64 3x3 of stride 2 on 28x28 (18 K
    /// weights) 4.2-4.7 against 3.2, resnet-small's 16 -> 32 1.8-2.0 against 1.0, 32 -> 64 on 14x14 1.31-1.38 against
    /// 1.08-1.11, the 1x1 projections 0.19-0.63 against 0.13-0.37; but resnet's 64 -> 128 on 14x14 (74 K weights)
    /// 3.0-3.5 against 3.3-3.7.
    /// </summary>
    public static bool Suits(in ConvGeometry g) => g.N >= 2 && (long)g.OutC * g.ColumnRows <= MaxWeights;

    private const int MaxWeights = 32 * 1024;

    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        in ConvGeometry g, bool relu)
    {
        int inSample = g.C * g.H * g.W, outSample = g.OutC * g.OutPlane;
        if (x.Length < (long)g.N * inSample || output.Length < (long)g.N * outSample || weight.Length < (long)g.OutC * g.ColumnRows
            || (!bias.IsEmpty && bias.Length < g.OutC))
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* po = output, px = x, pw = weight, pb = bias)
        {
            var work = new Work { Output = po, X = px, Weight = pw, Bias = bias.IsEmpty ? null : pb, G = g, Relu = relu };
            Workers.ForBalanced(g.N, ref work);
        }
    }

    private struct Work : IWorkItem
    {
        public float* Output, X, Weight, Bias;
        public ConvGeometry G;
        public bool Relu;

        public readonly void Run(int start, int end)
        {
            var g = G;
            int k = g.ColumnRows, p = g.OutPlane, outC = g.OutC, inSample = g.C * g.H * g.W;
            var columns = Scratch.ColumnsFor(g);
            var weight = new ReadOnlySpan<float>(Weight, outC * k);
            var bias = Bias == null ? default : new ReadOnlySpan<float>(Bias, outC);
            for (int n = start; n < end; n++)
            {
                var b = ColumnsOf(new ReadOnlySpan<float>(X + (nint)n * inSample, inSample), columns, g);
                var o = new Span<float>(Output + (nint)n * outC * p, outC * p);
                Gemm.Multiply(false, false, outC, p, k, weight, b, o, accumulate: false);
                Convolution.AddBiasAndRelu(o, bias, outC, p, Relu);
            }
        }
    }

    // dx: [N, C, H, W] (+)= the input gradient; dout: [N, OutC, OH, OW]; weight: [OutC, C·kh·kw]. Each sample's column
    // gradient Wᵀ·dY (dY's NCHW sample already is the [OutC, OH·OW] operand) is folded onto its own image while in L2.
    public static void BackwardData(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in ConvGeometry g)
    {
        int inSample = g.C * g.H * g.W, outSample = g.OutC * g.OutPlane;
        if (dx.Length < (long)g.N * inSample || dout.Length < (long)g.N * outSample || weight.Length < (long)g.OutC * g.ColumnRows)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* pdx = dx, pdy = dout, pw = weight)
        {
            var work = new DataWork { Dx = pdx, Dy = pdy, Weight = pw, G = g, Accumulate = accumulate };
            Workers.ForBalanced(g.N, ref work);
        }
    }

    private struct DataWork : IWorkItem
    {
        public float* Dx, Dy, Weight;
        public ConvGeometry G;
        public bool Accumulate;

        public readonly void Run(int start, int end)
        {
            var g = G;
            int k = g.ColumnRows, p = g.OutPlane, outC = g.OutC, inSample = g.C * g.H * g.W;
            var columns = Scratch.ColumnsFor(g);
            var weight = new ReadOnlySpan<float>(Weight, outC * k);
            for (int n = start; n < end; n++)
            {
                var dy = new ReadOnlySpan<float>(Dy + (nint)n * outC * p, outC * p);
                var dxs = new Span<float>(Dx + (nint)n * inSample, inSample);
                if (Convolution.IsPointwise(g))
                {
                    Gemm.Multiply(true, false, k, p, outC, weight, dy, dxs, accumulate: Accumulate);
                    continue;
                }
                Gemm.Multiply(true, false, k, p, outC, weight, dy, columns, accumulate: false);
                if (!Accumulate) dxs.Clear();
                Im2Col.ScatterAdd(dxs, columns, g, 1);
            }
        }
    }

    // dweight: [OutC, C·kh·kw] (+)= Σ_n dY_n · col_nᵀ, summed in sample groups (WeightGradientGroups); dbias: [OutC]
    // (+)= Σ dY (either may be empty); dout, x: NCHW.
    public static void BackwardWeights(Span<float> dweight, bool accumulateWeight, Span<float> dbias, bool accumulateBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        fixed (float* pdy = dout, px = x)
            WeightGradientGroups.Run(dweight, accumulateWeight, dbias, accumulateBias, dout, x, g, g.OutC * g.ColumnRows,
                new GroupSum { Dy = pdy, X = px, G = g });
    }

    private readonly struct GroupSum : WeightGradientGroups.IGroupSum
    {
        public float* Dy { get; init; }
        public float* X { get; init; }
        public ConvGeometry G { get; init; }

        public void Sum(float* partial, int first, int last)
        {
            var g = G;
            int k = g.ColumnRows, p = g.OutPlane, outC = g.OutC, inSample = g.C * g.H * g.W;
            var columns = Scratch.ColumnsFor(g);
            var sums = new Span<float>(partial, outC * k);
            for (int n = first; n < last; n++)
            {
                var dy = new ReadOnlySpan<float>(Dy + (nint)n * outC * p, outC * p);
                var b = ColumnsOf(new ReadOnlySpan<float>(X + (nint)n * inSample, inSample), columns, g);
                Gemm.Multiply(false, true, outC, k, p, dy, b, sums, accumulate: n > first);
            }
        }
    }

    // One sample's column matrix [C·kh·kw, OH·OW]: built in columns, or the image itself for a pointwise kernel.
    private static ReadOnlySpan<float> ColumnsOf(ReadOnlySpan<float> image, Span<float> columns, in ConvGeometry g)
    {
        if (Convolution.IsPointwise(g)) return image;
        Im2Col.Gather(columns, image, g, 1);
        return columns;
    }

    /// <summary>
    /// A thread's column matrix: grown on demand, then reused, so warm calls allocate nothing.
    /// </summary>
    private static class Scratch
    {
        [ThreadStatic] private static float[]? columns;

        // Empty for a pointwise kernel, whose image is its own column matrix.
        public static Span<float> ColumnsFor(in ConvGeometry g)
        {
            int floats = Convolution.IsPointwise(g) ? 0 : g.ColumnRows * g.OutPlane;
            if (columns is null || columns.Length < floats) columns = GC.AllocateUninitializedArray<float>(floats);
            return columns.AsSpan(0, floats);
        }
    }
}
