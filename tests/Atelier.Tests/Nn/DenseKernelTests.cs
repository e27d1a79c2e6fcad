using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

/// <summary>The Dense kernels against naive triple loops in double, on odd and tiny sizes.</summary>
public sealed class DenseKernelTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 5, 7)]
    [InlineData(17, 33, 10)]
    [InlineData(64, 20, 31)]
    public void Forward_and_backward_match_naive_loops(int n, int inFeatures, int outFeatures)
    {
        var rng = new Rng((ulong)(n * 7 + inFeatures * 3 + outFeatures));
        float[] Random(int size) { var a = new float[size]; for (int i = 0; i < size; i++) a[i] = rng.Normal(); return a; }
        var x = Random(n * inFeatures);
        var w = Random(outFeatures * inFeatures);
        var b = Random(outFeatures);
        var dy = Random(n * outFeatures);

        var y = new float[n * outFeatures];
        Dense.Forward(y, x, w, b, n, inFeatures, outFeatures);
        var yNoBias = new float[n * outFeatures];
        Dense.Forward(yNoBias, x, w, default, n, inFeatures, outFeatures);
        var expected = new float[n * outFeatures];
        var expectedNoBias = new float[n * outFeatures];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outFeatures; o++)
            {
                double s = 0;
                for (int i = 0; i < inFeatures; i++) s += (double)x[r * inFeatures + i] * w[o * inFeatures + i];
                expected[r * outFeatures + o] = (float)(s + b[o]);
                expectedNoBias[r * outFeatures + o] = (float)s;
            }
        Fixture.AssertClose(expected, y, 1e-4f, 1e-5f, "forward");
        Fixture.AssertClose(expectedNoBias, yNoBias, 1e-4f, 1e-5f, "forward without bias");

        var dx = new float[n * inFeatures];
        var dw = new float[outFeatures * inFeatures];
        var db = new float[outFeatures];
        for (int pass = 1; pass <= 2; pass++)
        {
            bool accumulate = pass == 2;
            Dense.BackwardInput(dx, dy, w, n, inFeatures, outFeatures, accumulate);
            Dense.BackwardWeight(dw, dy, x, n, inFeatures, outFeatures, accumulate);
            Dense.BackwardBias(db, dy, n, outFeatures, accumulate);
            var edx = new float[dx.Length];
            var edw = new float[dw.Length];
            var edb = new float[db.Length];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < inFeatures; i++)
                {
                    double s = 0;
                    for (int o = 0; o < outFeatures; o++) s += (double)dy[r * outFeatures + o] * w[o * inFeatures + i];
                    edx[r * inFeatures + i] = (float)(pass * s);
                }
            for (int o = 0; o < outFeatures; o++)
            {
                double sb = 0;
                for (int r = 0; r < n; r++) sb += dy[r * outFeatures + o];
                edb[o] = (float)(pass * sb);
                for (int i = 0; i < inFeatures; i++)
                {
                    double s = 0;
                    for (int r = 0; r < n; r++) s += (double)dy[r * outFeatures + o] * x[r * inFeatures + i];
                    edw[o * inFeatures + i] = (float)(pass * s);
                }
            }
            Fixture.AssertClose(edx, dx, 1e-4f, 1e-5f, $"dinput pass {pass}");
            Fixture.AssertClose(edw, dw, 1e-4f, 1e-5f, $"dweight pass {pass}");
            Fixture.AssertClose(edb, db, 1e-4f, 1e-5f, $"dbias pass {pass}");
        }
    }
}
