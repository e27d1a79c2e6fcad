using Atelier.Tensors;
using SoftmaxKernels = Atelier.Kernels.Softmax;

namespace Atelier.Tests.Kernels;

/// <summary>Softmax, log-softmax and fused cross-entropy kernels against naive double-precision references.</summary>
public sealed class ActivationSoftmaxKernelTests
{
    private static float[] Random(Rng rng, int n, float scale = 3f)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.Normal(0f, scale);
        return x;
    }

    /// <summary>Naive softmax of x viewed as [outer, classes, inner] over classes, in double.</summary>
    private static double[] NaiveSoftmax(float[] x, int outer, int classes, int inner)
    {
        var y = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int c = 0; c < classes; c++) max = Math.Max(max, x[(o * classes + c) * inner + i]);
                for (int c = 0; c < classes; c++) sum += Math.Exp(x[(o * classes + c) * inner + i] - max);
                for (int c = 0; c < classes; c++) y[(o * classes + c) * inner + i] = Math.Exp(x[(o * classes + c) * inner + i] - max) / sum;
            }
        return y;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 10, 1)]
    [InlineData(5, 17, 1)]
    [InlineData(2, 33, 1)]
    [InlineData(2, 3, 4)]
    [InlineData(3, 5, 7)]
    public void Softmax_and_log_softmax_match_reference(int outer, int classes, int inner)
    {
        var rng = new Rng((ulong)(outer * 1000 + classes * 10 + inner));
        int n = outer * classes * inner;
        var x = Random(rng, n);
        var dy = Random(rng, n, 1f);
        var p = NaiveSoftmax(x, outer, classes, inner);

        var y = new float[n];
        SoftmaxKernels.Forward(y, x, outer, classes, inner);
        var logY = new float[n];
        SoftmaxKernels.LogForward(logY, x, outer, classes, inner);
        var expected = new float[n];
        for (int k = 0; k < n; k++) expected[k] = (float)p[k];
        Fixture.AssertClose(expected, y, 1e-5f, 1e-7f, "softmax");
        for (int k = 0; k < n; k++) expected[k] = (float)Math.Log(p[k]);
        Fixture.AssertClose(expected, logY, 1e-5f, 1e-5f, "log_softmax");

        // Backward references: dx_j = Σ_c dy_c ∂y_c/∂x_j, with the Jacobians written out.
        var dx = new float[n];
        var logDx = new float[n];
        SoftmaxKernels.Backward(dx, y, dy, outer, classes, inner, false);
        SoftmaxKernels.LogBackward(logDx, logY, dy, outer, classes, inner, false);
        var expectedDx = new float[n];
        var expectedLogDx = new float[n];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                for (int j = 0; j < classes; j++)
                {
                    double g = 0, lg = 0;
                    int kj = (o * classes + j) * inner + i;
                    for (int c = 0; c < classes; c++)
                    {
                        int kc = (o * classes + c) * inner + i;
                        double delta = c == j ? 1 : 0;
                        g += dy[kc] * p[kc] * (delta - p[kj]);
                        lg += dy[kc] * (delta - p[kj]);
                    }
                    expectedDx[kj] = (float)g;
                    expectedLogDx[kj] = (float)lg;
                }
        Fixture.AssertClose(expectedDx, dx, 1e-4f, 1e-6f, "softmax backward");
        Fixture.AssertClose(expectedLogDx, logDx, 1e-4f, 1e-5f, "log_softmax backward");
        SoftmaxKernels.LogBackward(logDx, logY, dy, outer, classes, inner, true);
        for (int k = 0; k < n; k++) expectedLogDx[k] *= 2;
        Fixture.AssertClose(expectedLogDx, logDx, 1e-4f, 2e-5f, "log_softmax accumulated backward");
        SoftmaxKernels.Backward(dx, y, dy, outer, classes, inner, true);
        for (int k = 0; k < n; k++) expectedDx[k] *= 2;
        Fixture.AssertClose(expectedDx, dx, 1e-4f, 2e-6f, "softmax accumulated backward");
    }

    [Fact]
    public void Softmax_is_stable_for_huge_logits()
    {
        float[] x = [1000f, 0f, -1000f, 88f, 89f, 90f];
        var y = new float[6];
        SoftmaxKernels.Forward(y, x, 2, 3, 1);
        Assert.Equal(1f, y[0]);
        Assert.Equal(0f, y[1]);
        SoftmaxKernels.LogForward(y, x, 2, 3, 1);
        Assert.Equal(-1000f, y[1]);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(1, 1, 0f, false)]
    [InlineData(4, 10, 0f, false)]
    [InlineData(9, 17, 0.1f, false)]
    [InlineData(6, 10, 0f, true)]
    [InlineData(7, 33, 0.25f, true)]
    public void Cross_entropy_matches_reference(int n, int classes, float smoothing, bool weighted)
    {
        var rng = new Rng((ulong)(n * 100 + classes));
        var x = Random(rng, n * classes);
        var targets = new int[n];
        for (int i = 0; i < n; i++) targets[i] = rng.NextInt(classes);
        var w = weighted ? new float[classes] : [];
        for (int c = 0; c < w.Length; c++) w[c] = rng.Uniform(0.1f, 2f);
        var p = NaiveSoftmax(x, n, classes, 1);

        var probs = new float[n * classes];
        double total = SoftmaxKernels.CrossEntropyForward(probs, x, targets, w, smoothing, n, classes, out double weightSum);
        // Reference: the definition, -Σ_c q_c·w_c·log p_c with q = (1-ε)·onehot + ε/C, target weight on the one-hot part.
        double expectedTotal = 0, expectedWeightSum = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            double wt = weighted ? w[t] : 1;
            expectedWeightSum += wt;
            expectedTotal -= (1 - smoothing) * wt * Math.Log(p[i * classes + t]);
            for (int c = 0; c < classes; c++) expectedTotal -= smoothing / classes * (weighted ? w[c] : 1) * Math.Log(p[i * classes + c]);
        }
        Assert.Equal(expectedTotal, total, 1e-5 * Math.Abs(expectedTotal) + 1e-6);
        Assert.Equal(expectedWeightSum, weightSum, 1e-6);

        var dx = new float[n * classes];
        const float scale = 0.37f;
        SoftmaxKernels.CrossEntropyBackward(dx, probs, targets, w, smoothing, scale, n, classes, false);
        var expectedDx = new float[n * classes];
        for (int i = 0; i < n; i++)
        {
            // d/dx_j of -Σ_c a_c log p_c = Σ_c a_c p_j - a_j, with a_c the coefficient of log p_c above.
            var a = new double[classes];
            for (int c = 0; c < classes; c++) a[c] = smoothing / classes * (weighted ? w[c] : 1);
            a[targets[i]] += (1 - smoothing) * (weighted ? w[targets[i]] : 1);
            double sumA = 0;
            foreach (var v in a) sumA += v;
            for (int j = 0; j < classes; j++) expectedDx[i * classes + j] = (float)(scale * (sumA * p[i * classes + j] - a[j]));
        }
        Fixture.AssertClose(expectedDx, dx, 1e-4f, 1e-6f, "cross-entropy backward");
    }
}
