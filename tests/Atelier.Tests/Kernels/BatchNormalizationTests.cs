using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

public sealed class BatchNormalizationTests
{
    [Theory]
    [InlineData(8, 5, 1)]     // [N, C]: the row-vector path
    [InlineData(2, 33, 1)]    // odd channel count, smallest batch
    [InlineData(3, 4, 7)]     // [N, C, L]
    [InlineData(1, 3, 49)]    // batch 1 image
    [InlineData(4, 2, 100)]   // several vector widths per plane plus a tail
    [InlineData(16, 12, 196)] // large enough to split channels across the workers
    public void Train_and_eval_match_naive_reference(int n, int c, int s)
    {
        var rng = new Rng((ulong)(n * 1000 + c * 10 + s));
        var x = ConvolutionTests.RandomArray(rng, n * c * s);
        for (int i = 0; i < x.Length; i++) x[i] = x[i] * 3 + 5;   // an offset mean tests the centred sums
        var dy = ConvolutionTests.RandomArray(rng, x.Length);
        var weight = ConvolutionTests.RandomArray(rng, c);
        var bias = ConvolutionTests.RandomArray(rng, c);
        float[] mean = new float[c], variance = new float[c], invStd = new float[c], scratch = new float[3 * c];
        float[] dyXhatSum = new float[c], dySum = new float[c], y = new float[x.Length], dx = new float[x.Length];
        const float eps = 1e-5f;

        BatchNormalization.ForwardTrain(y, mean, variance, invStd, x, weight, bias, n, c, s, eps, scratch);
        BatchNormalization.Backward(dx, false, dyXhatSum, dySum, dy, x, mean, invStd, weight, n, c, s, true, scratch);
        var r = NaiveTrain(x, dy, weight, bias, n, c, s, eps);
        Fixture.AssertClose(r.Mean, mean, 1e-5f, 1e-5f, "mean");
        Fixture.AssertClose(r.Var, variance, 1e-5f, 1e-5f, "variance");
        Fixture.AssertClose(r.Y, y, 1e-4f, 1e-4f, "y");
        Fixture.AssertClose(r.Dx, dx, 1e-4f, 1e-4f, "dx");
        Fixture.AssertClose(r.Dw, dyXhatSum, 1e-4f, 1e-4f, "dweight");
        Fixture.AssertClose(r.Db, dySum, 1e-5f, 1e-5f, "dbias");

        float[] runningMean = new float[c], runningVar = new float[c];
        runningVar.AsSpan().Fill(1);
        BatchNormalization.UpdateRunningStatistics(runningMean, runningVar, mean, variance, (long)n * s, 0.1f);
        long m = (long)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            Assert.Equal(0.1f * r.Mean[ch], runningMean[ch], 1e-5f);
            Assert.Equal(0.9f + 0.1f * r.Var[ch] * (m > 1 ? m / (m - 1f) : 1f), runningVar[ch], 1e-4f);
        }

        // Eval: an affine map with the running statistics; dx accumulates onto what is there.
        BatchNormalization.ForwardEval(y, invStd, x, runningMean, runningVar, weight, bias, n, c, s, eps, scratch);
        dx.AsSpan().Fill(1);
        BatchNormalization.Backward(dx, true, dyXhatSum, dySum, dy, x, runningMean, invStd, weight, n, c, s, false, scratch);
        for (int i = 0; i < x.Length; i++)
        {
            int ch = i / s % c;
            double k = 1 / Math.Sqrt(runningVar[ch] + (double)eps);
            Assert.Equal((x[i] - runningMean[ch]) * k * weight[ch] + bias[ch], y[i], 1e-4);
            Assert.Equal(1 + dy[i] * weight[ch] * k, dx[i], 1e-4);
        }
    }

    // Textbook formulas in double: x̂ = (x - μ)/√(σ² + ε), dx = w/√(σ² + ε)·(dy - mean(dy) - x̂·mean(dy·x̂)).
    private static (float[] Mean, float[] Var, float[] Y, float[] Dx, float[] Dw, float[] Db) NaiveTrain(
        float[] x, float[] dy, float[] w, float[] b, int n, int c, int s, float eps)
    {
        var mean = new double[c]; var variance = new double[c];
        var y = new double[x.Length]; var dx = new double[x.Length]; var dw = new double[c]; var db = new double[c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) mean[ch] += x[(i * c + ch) * s + k];
            mean[ch] /= m;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) variance[ch] += Math.Pow(x[(i * c + ch) * s + k] - mean[ch], 2);
            variance[ch] /= m;
            double inv = 1 / Math.Sqrt(variance[ch] + eps);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    double xhat = (x[at] - mean[ch]) * inv;
                    y[at] = xhat * w[ch] + b[ch];
                    db[ch] += dy[at];
                    dw[ch] += dy[at] * xhat;
                }
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    double xhat = (x[at] - mean[ch]) * inv;
                    dx[at] = w[ch] * inv * (dy[at] - db[ch] / m - xhat * dw[ch] / m);
                }
        }
        return (ConvolutionTests.ToFloat(mean), ConvolutionTests.ToFloat(variance), ConvolutionTests.ToFloat(y),
            ConvolutionTests.ToFloat(dx), ConvolutionTests.ToFloat(dw), ConvolutionTests.ToFloat(db));
    }
}
