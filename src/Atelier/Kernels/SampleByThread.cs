using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// The im2col forward of a batch with each sample on one thread: its column matrix ([C·kh·kw, OH·OW], a few hundred
/// KB) is built in that thread's scratch and multiplied while it is still in L2, straight into the sample's NCHW
/// output. The batched path builds a chunk's columns (megabytes, past L2), multiplies them into a staging matrix and
/// copies that to NCHW: three passes over memory where this makes one. Each sample's result depends only on that
/// sample, so results do not depend on the thread count.
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
            bool pointwise = g.Kernel == new Size2d(1, 1) && g.Stride == new Size2d(1, 1) && g.Padding == new Size2d(0, 0);
            var columns = Columns.ForThisThread(pointwise ? 0 : k * p);
            var weight = new ReadOnlySpan<float>(Weight, outC * k);
            for (int n = start; n < end; n++)
            {
                var xs = new ReadOnlySpan<float>(X + (nint)n * inSample, inSample);
                ReadOnlySpan<float> b = xs;
                if (!pointwise)
                {
                    Im2Col.Gather(columns, xs, g, 1);
                    b = columns;
                }
                var o = new Span<float>(Output + (nint)n * outC * p, outC * p);
                Gemm.Multiply(false, false, outC, p, k, weight, b, o, accumulate: false);
                if (Bias == null && !Relu) continue;
                for (int oc = 0; oc < outC; oc++)
                {
                    var row = o.Slice(oc * p, p);
                    if (Bias != null) TensorPrimitives.Add(row, Bias[oc], row);
                    if (Relu) TensorPrimitives.Max(row, 0f, row);
                }
            }
        }
    }

    /// <summary>A thread's column matrix: grown on demand, then reused, so warm calls allocate nothing.</summary>
    private static class Columns
    {
        [ThreadStatic] private static float[]? buffer;

        public static Span<float> ForThisThread(int floats)
        {
            if (buffer is null || buffer.Length < floats) buffer = GC.AllocateUninitializedArray<float>(floats);
            return buffer.AsSpan(0, floats);
        }
    }
}
