using Atelier.Tensors;

namespace Atelier.Tests;

/// <summary>
/// Finite-difference gradient checks: compares an op's analytic gradient (from the tape) with central
/// differences of a scalar function, computed in double precision from float32 evaluations.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// <paramref name="loss"/> runs the forward pass (recording on the tape) and returns a scalar tensor.
    /// For each tensor in <paramref name="wrt"/> (inputs and parameters, RequiresGrad set), checks up to
    /// <paramref name="maxPerTensor"/> spread-out elements of its gradient.
    /// </summary>
    public static void Check(Func<Tensor> loss, Tensor[] wrt, float eps = 1e-2f, double rtol = 2e-2, double atol = 2e-3, int maxPerTensor = 40)
    {
        foreach (var t in wrt) t.HasGrad = false;
        loss().Backward();
        for (int w = 0; w < wrt.Length; w++)
        {
            var t = wrt[w];
            Assert.True(t.HasGrad, $"Tensor {w} ({t.Shape}) received no gradient.");
            var analytic = t.Grad!.ToArray();
            int step = Math.Max(1, t.Size / maxPerTensor);
            for (int i = 0; i < t.Size; i += step)
            {
                float saved = t[i];
                t[i] = saved + eps;
                double plus = Evaluate(loss);
                t[i] = saved - eps;
                double minus = Evaluate(loss);
                t[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double tolerance = atol + rtol * Math.Abs(numeric);
                Assert.True(Math.Abs(analytic[i] - numeric) <= tolerance,
                    $"Tensor {w} ({t.Shape}) element {i}: analytic gradient {analytic[i]:G6}, numeric {numeric:G6}.");
            }
        }
    }

    private static double Evaluate(Func<Tensor> loss)
    {
        using (Atelier.Autograd.Tape.NoGrad()) return loss().Item();
    }
}
