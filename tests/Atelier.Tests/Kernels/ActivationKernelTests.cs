using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

/// <summary>Each elementwise kernel against a naive double-precision reference, on sizes that hit the vector loop and the scalar tail.</summary>
[Collection("Workers.ThreadCount")] // one test sets the process-wide thread count
public sealed class ActivationKernelTests
{
    private static readonly int[] Sizes = [1, 7, 16, 17, 33, 100, 1003];

    private static float[] Random(Rng rng, int n, float scale = 3f)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.Normal(0f, scale);
        return x;
    }

    /// <summary>Checks forward(x) and backward in both overwrite and accumulate modes against references.</summary>
    private static void CheckKernel(string name, Action<float[], float[]> forward, Func<double, double> reference,
        Action<float[], float[], float[], float[], bool> backward, Func<double, double, double> gradReference, bool gradFromOutput,
        float rtol = 2e-6f, float atol = 2e-7f)
    {
        var rng = new Rng(7);
        foreach (int n in Sizes)
        {
            var x = Random(rng, n);
            var y = new float[n];
            forward(x, y);
            var expected = new float[n];
            for (int i = 0; i < n; i++) expected[i] = (float)reference(x[i]);
            Fixture.AssertClose(expected, y, rtol, atol, $"{name} forward n={n}");

            var dy = Random(rng, n, 1f);
            var dx = new float[n];
            backward(dx, x, y, dy, false);
            var expectedGrad = new float[n];
            for (int i = 0; i < n; i++) expectedGrad[i] = (float)(dy[i] * gradReference(x[i], gradFromOutput ? y[i] : x[i]));
            Fixture.AssertClose(expectedGrad, dx, rtol * 5, atol * 5, $"{name} backward n={n}");

            backward(dx, x, y, dy, true);
            for (int i = 0; i < n; i++) expectedGrad[i] *= 2;
            Fixture.AssertClose(expectedGrad, dx, rtol * 5, atol * 10, $"{name} accumulated backward n={n}");
        }
    }

    [Fact]
    public void Relu_matches_reference()
        => CheckKernel("relu", (x, y) => Activations.ReluForward(y, x), v => Math.Max(v, 0),
            (dx, x, y, dy, acc) => Activations.ReluBackward(dx, x, dy, acc), (x, _) => x > 0 ? 1 : 0, false);

    [Fact]
    public void Relu_on_large_tensors_matches_reference_across_workers()
    {
        var rng = new Rng(11);
        int n = 200_003;
        var x = Random(rng, n);
        var dy = Random(rng, n, 1f);
        var y = new float[n];
        var dx = new float[n];
        Activations.ReluForward(y, x);
        Activations.ReluBackward(dx, x, dy, false);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Max(x[i], 0f), y[i]);
            Assert.Equal(x[i] > 0 ? dy[i] : 0f, dx[i]);
        }
        Activations.ReluBackward(dx, x, dy, true);
        for (int i = 0; i < n; i++) Assert.Equal(x[i] > 0 ? 2 * dy[i] : 0f, dx[i]);
    }

    [Fact]
    public void LeakyRelu_matches_reference()
        => CheckKernel("leaky", (x, y) => Activations.LeakyReluForward(y, x, 0.1f), v => v > 0 ? v : 0.1f * v,
            (dx, x, y, dy, acc) => Activations.LeakyReluBackward(dx, x, dy, 0.1f, acc), (x, _) => x > 0 ? 1 : 0.1f, false);

    [Fact]
    public void Sigmoid_matches_reference()
        => CheckKernel("sigmoid", (x, y) => Activations.SigmoidForward(y, x), v => 1 / (1 + Math.Exp(-v)),
            (dx, x, y, dy, acc) => Activations.SigmoidBackward(dx, y, dy, acc), (_, y) => y * (1 - y), true);

    [Fact]
    public void Tanh_matches_reference()
        => CheckKernel("tanh", (x, y) => Activations.TanhForward(y, x), Math.Tanh,
            (dx, x, y, dy, acc) => Activations.TanhBackward(dx, y, dy, acc), (_, y) => 1 - y * y, true);

    [Fact]
    public void Gelu_matches_reference()
        => CheckKernel("gelu", (x, y) => Activations.GeluForward(y, x), v => 0.5 * v * (1 + ReferenceErf(v / Math.Sqrt(2))),
            (dx, x, y, dy, acc) => Activations.GeluBackward(dx, x, dy, acc),
            (x, _) => 0.5 * (1 + ReferenceErf(x / Math.Sqrt(2))) + x * Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI), false);

    [Fact]
    public void Elu_matches_reference()
        => CheckKernel("elu", (x, y) => Activations.EluForward(y, x, 0.7f), v => v > 0 ? v : 0.7f * (Math.Exp(v) - 1),
            (dx, x, y, dy, acc) => Activations.EluBackward(dx, x, dy, 0.7f, acc), (x, _) => x > 0 ? 1 : 0.7f * Math.Exp(x), false);

    [Fact]
    public void Elu_is_accurate_near_zero()
    {
        float[] x = [-1e-3f, -1e-5f, -3e-7f, -0.02f, -1e-3f, -1e-5f, -3e-7f, -0.02f, -1e-3f, -1e-5f, -3e-7f, -0.02f, -1e-3f, -1e-5f, -3e-7f, -0.02f, -1e-6f];
        var y = new float[x.Length];
        Activations.EluForward(y, x, 1f);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - Math.Exp(x[i]) + 1) <= 1e-6 * Math.Abs(x[i]), $"elu({x[i]}) = {y[i]}");
    }

    [Fact]
    public void Erf_is_accurate_to_float_rounding_everywhere()
    {
        const int n = 24001;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -6f + 12f * i / (n - 1);
        var y = new float[n];
        Activations.Erf(y, x);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs(y[i] - ReferenceErf(x[i])));
            Assert.Equal(y[i], Activations.ErfScalar(x[i]), 6e-7f); // the scalar tail agrees with the vector path
        }
        Assert.True(worst < 2e-7, $"max |erf error| = {worst:G3}");
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 40f];
        var specialOut = new float[special.Length];
        Activations.Erf(specialOut, special);
        Assert.True(float.IsNaN(specialOut[0]));
        Assert.Equal([1f, -1f, 0f, 0f, 1f], specialOut[1..]);
    }

    [Fact]
    public void Vector_and_scalar_paths_handle_nan_and_infinity()
    {
        var x = new float[17];
        x[3] = float.NaN; x[16] = float.NaN; x[5] = float.PositiveInfinity; x[6] = float.NegativeInfinity;
        var y = new float[17];
        Activations.GeluForward(y, x);
        Assert.True(float.IsNaN(y[3]) && float.IsNaN(y[16]));
        Assert.Equal(float.PositiveInfinity, y[5]);
        Activations.EluForward(y, x, 1f);
        Assert.Equal(-1f, y[6]);
    }

    [Fact]
    public void Dropout_kernel_keeps_about_one_minus_p_and_scales()
    {
        const int n = 40001;
        var x = new float[n];
        Array.Fill(x, 2f);
        var y = new float[n];
        var mask = new float[n];
        Activations.DropoutForward(y, mask, x, 0.3f, new Rng(5));
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            if (y[i] != 0) { kept++; Assert.Equal(2f / 0.7f, y[i], 1e-6f); }
            Assert.Equal(y[i], x[i] * mask[i]);
        }
        Assert.InRange(kept / (double)n, 0.69, 0.71);
        var dy = new float[n];
        Array.Fill(dy, 1f);
        var dx = new float[n];
        Activations.DropoutBackward(dx, mask, dy, false);
        Activations.DropoutBackward(dx, mask, dy, true);
        for (int i = 0; i < n; i++) Assert.Equal(2 * mask[i], dx[i]);
    }

    [Fact]
    public void Dropout_mask_is_the_keyed_hash_of_each_index_on_any_thread_count()
    {
        const int n = 150_007; // vector blocks across the workers plus a scalar tail
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i % 5 - 2;
        var (y, mask, y1, mask1) = (new float[n], new float[n], new float[n], new float[n]);
        Activations.DropoutForward(y, mask, x, 0.4f, new Rng(9));
        int saved = Workers.ThreadCount;
        try
        {
            Workers.ThreadCount = 1;
            Activations.DropoutForward(y1, mask1, x, 0.4f, new Rng(9));
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
        Assert.Equal(mask, mask1);
        Assert.Equal(y, y1);
        ulong key = new Rng(9).NextUInt64();
        uint threshold = (uint)(0.4 * 4294967296.0);
        int kept = 0;
        for (int i = 0; i < n; i++)
        {
            bool keep = Activations.DropoutBits((uint)i, (uint)key, (uint)(key >> 32)) >= threshold;
            Assert.Equal(keep ? 1f / 0.6f : 0f, mask[i]);
            Assert.Equal(x[i] * mask[i], y[i]);
            if (keep) kept++;
        }
        Assert.InRange(kept / (double)n, 0.59, 0.61);
        // Neighbouring elements are independent: P(both kept) ≈ 0.36.
        int pairs = 0;
        for (int i = 0; i + 1 < n; i += 2) if (mask[i] != 0 && mask[i + 1] != 0) pairs++;
        Assert.InRange(pairs / (double)(n / 2), 0.34, 0.38);

        var dx = new float[n];
        Activations.DropoutBackward(dx, mask, x, false);
        Activations.DropoutBackward(dx, mask, x, true);
        for (int i = 0; i < n; i++) Assert.Equal(2 * y[i], dx[i]);
    }

    /// <summary>erf in double: Maclaurin series below 3, continued fraction for erfc above (both ~1e-13 here).</summary>
    internal static double ReferenceErf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 3)
        {
            double term = ax, sum = ax;
            for (int k = 1; k < 200 && Math.Abs(term) > 1e-17; k++)
            {
                term *= -ax * ax / k;
                sum += term / (2 * k + 1);
            }
            return Math.CopySign(2 / Math.Sqrt(Math.PI) * sum, x);
        }
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated bottom-up.
        double f = ax;
        for (int k = 60; k >= 1; k--) f = ax + k / 2.0 / f;
        return Math.CopySign(1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f, x);
    }
}
