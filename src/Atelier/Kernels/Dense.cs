namespace Atelier.Kernels;

/// <summary>
/// The fully connected layer, llm.c's matmul_forward/backward over row-major arrays in PyTorch's layout:
/// input [n, in], weight [out, in], bias [out], output [n, out]. The matrix work goes to <see cref="Gemm"/>.
/// Backward kernels overwrite their gradient, or add to it when <c>accumulate</c>.
/// </summary>
public static class Dense
{
    // output[n, out] = input[n, in] · weightᵀ + bias (bias empty: none)
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        int n, int inFeatures, int outFeatures)
    {
        Check(input.Length, n * inFeatures, "input");
        Check(weight.Length, outFeatures * inFeatures, "weight");
        Check(output.Length, n * outFeatures, "output");
        bool add = StartWithBias(output, bias, n, outFeatures);
        Gemm.Multiply(false, true, n, outFeatures, inFeatures, input, weight, output, accumulate: add);
    }

    /// <summary>
    /// The same product with the weights packed once (<see cref="PacksWeights"/>): a frozen layer's, which the GEMM
    /// would otherwise transpose into its panels on every call.
    /// </summary>
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, GemmPackedRight weight, ReadOnlySpan<float> bias, int n)
    {
        int inFeatures = weight.K, outFeatures = weight.N;
        Check(input.Length, n * inFeatures, "input");
        Check(output.Length, n * outFeatures, "output");
        bool add = StartWithBias(output, bias, n, outFeatures);
        Gemm.Multiply(false, n, input, weight, output, accumulate: add);
    }

    // Broadcasts the bias over the output's rows, for the GEMM to add onto (one pass over the output instead of two);
    // false, and the output left as it is, without a bias.
    private static bool StartWithBias(Span<float> output, ReadOnlySpan<float> bias, int n, int outFeatures)
    {
        if (bias.IsEmpty) return false;
        Check(bias.Length, outFeatures, "bias");
        for (int r = 0; r < n; r++) bias.CopyTo(output.Slice(r * outFeatures, outFeatures));
        return true;
    }

    /// <summary>
    /// Whether packing the weights once pays for a batch of n rows: where the GEMM packs them itself (8 rows and 32
    /// outputs on). Fewer rows take dot products straight off the weight rows, which packing would not speed up.
    /// </summary>
    public static bool PacksWeights(int n, int outFeatures) => Gemm.BestPath != GemmPath.Scalar && !Gemm.IsNarrow(n, outFeatures);

    // dinput[n, in] (+)= doutput[n, out] · weight[out, in]
    public static void BackwardInput(Span<float> dinput, ReadOnlySpan<float> doutput, ReadOnlySpan<float> weight,
        int n, int inFeatures, int outFeatures, bool accumulate)
    {
        Check(dinput.Length, n * inFeatures, "dinput");
        Check(doutput.Length, n * outFeatures, "doutput");
        Check(weight.Length, outFeatures * inFeatures, "weight");
        Gemm.Multiply(false, false, n, inFeatures, outFeatures, doutput, weight, dinput, accumulate);
    }

    // dweight[out, in] (+)= doutput[n, out]ᵀ · input[n, in]
    public static void BackwardWeight(Span<float> dweight, ReadOnlySpan<float> doutput, ReadOnlySpan<float> input,
        int n, int inFeatures, int outFeatures, bool accumulate)
    {
        Check(dweight.Length, outFeatures * inFeatures, "dweight");
        Check(doutput.Length, n * outFeatures, "doutput");
        Check(input.Length, n * inFeatures, "input");
        if (n == 0)
        {
            if (!accumulate) dweight.Clear();
            return;
        }
        Gemm.Multiply(true, false, outFeatures, inFeatures, n, doutput, input, dweight, accumulate);
    }

    // dbias[out] (+)= Σ_n doutput[n, out]
    public static void BackwardBias(Span<float> dbias, ReadOnlySpan<float> doutput, int n, int outFeatures, bool accumulate)
    {
        Check(dbias.Length, outFeatures, "dbias");
        Check(doutput.Length, n * outFeatures, "doutput");
        if (!accumulate) dbias.Clear();
        for (int r = 0; r < n; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(dbias, doutput.Slice(r * outFeatures, outFeatures), dbias);
    }

    private static void Check(int actual, int expected, string what)
    {
        if (actual != expected) throw new ArgumentException($"Dense kernel: {what} has {actual} floats, expected {expected}.");
    }
}
