using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

public sealed class PoolingTests
{
    [Fact]
    public void Max_and_average_pooling_match_naive_reference_on_random_shapes()
    {
        var rng = new Rng(99);
        for (int trial = 0; trial < 30; trial++)
        {
            int kh = 1 + rng.NextInt(4), kw = 1 + rng.NextInt(4);
            var g = new ConvGeometry(1 + rng.NextInt(3), 1 + rng.NextInt(3), kh + rng.NextInt(8), kw + rng.NextInt(8), 0,
                (kh, kw), (1 + rng.NextInt(3), 1 + rng.NextInt(3)), (rng.NextInt(kh / 2 + 1), rng.NextInt(kw / 2 + 1)));
            g = g with { OutC = g.C };
            if (trial < 4) g = g with { Kernel = 2, Stride = 2, Padding = 0, H = 2 + trial + rng.NextInt(6), W = 2 + rng.NextInt(7) }; // the 2x2 fast path
            var x = ConvolutionTests.RandomArray(rng, g.N * g.C * g.H * g.W);
            var dout = ConvolutionTests.RandomArray(rng, g.N * g.C * g.OutPlane);
            var (maxRef, dxMaxRef, avgRef, dxAvgRef) = Naive(g, x, dout);

            var y = new float[dout.Length];
            var argmax = new int[dout.Length];
            var dx = new float[x.Length];
            Pooling.MaxForward(y, argmax, x, g);
            Fixture.AssertClose(maxRef, y, 0, 0, $"max {g}");
            dx.AsSpan().Fill(1);
            Pooling.MaxBackward(dx, false, dout, argmax, g);
            Fixture.AssertClose(dxMaxRef, dx, 1e-6f, 1e-6f, $"max dx {g}");

            Pooling.AvgForward(y, x, g);
            Fixture.AssertClose(avgRef, y, 1e-5f, 1e-6f, $"avg {g}");
            Pooling.AvgBackward(dx, false, dout, g);
            Fixture.AssertClose(dxAvgRef, dx, 1e-5f, 1e-6f, $"avg dx {g}");
            Pooling.AvgBackward(dx, true, dout, g);
            for (int i = 0; i < dx.Length; i++) Assert.Equal(2 * dxAvgRef[i], dx[i], 1e-5f);
        }
    }

    [Fact]
    public void Global_average_matches_naive_reference()
    {
        var rng = new Rng(5);
        int planes = 6, plane = 7 * 5;
        var x = ConvolutionTests.RandomArray(rng, planes * plane);
        var dout = ConvolutionTests.RandomArray(rng, planes);
        var y = new float[planes];
        Pooling.GlobalAvgForward(y, x, planes, plane);
        var dx = new float[x.Length];
        Pooling.GlobalAvgBackward(dx, false, dout, planes, plane);
        for (int p = 0; p < planes; p++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += x[p * plane + i];
            Assert.Equal(sum / plane, y[p], 1e-5);
            for (int i = 0; i < plane; i++) Assert.Equal(dout[p] / plane, dx[p * plane + i], 1e-6f);
        }
    }

    // Window by window, in double: the max with its first position, and the average over kh·kw (count_include_pad).
    private static (float[] Max, float[] DxMax, float[] Avg, float[] DxAvg) Naive(ConvGeometry g, float[] x, float[] dout)
    {
        var max = new float[dout.Length];
        var avg = new double[dout.Length];
        var dxMax = new double[x.Length];
        var dxAvg = new double[x.Length];
        int area = g.Kernel.Height * g.Kernel.Width;
        for (int p = 0; p < g.N * g.C; p++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int o = (p * g.OH + oh) * g.OW + ow, best = -1;
                    double sum = 0;
                    for (int i = 0; i < g.Kernel.Height; i++)
                        for (int j = 0; j < g.Kernel.Width; j++)
                        {
                            int ih = oh * g.Stride.Height - g.Padding.Height + i, iw = ow * g.Stride.Width - g.Padding.Width + j;
                            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                            int xi = (p * g.H + ih) * g.W + iw;
                            sum += x[xi];
                            dxAvg[xi] += (double)dout[o] / area;
                            if (best < 0 || x[xi] > x[best]) best = xi;
                        }
                    max[o] = x[best];
                    dxMax[best] += dout[o];
                    avg[o] = sum / area;
                }
        return (max, ConvolutionTests.ToFloat(dxMax), ConvolutionTests.ToFloat(avg), ConvolutionTests.ToFloat(dxAvg));
    }
}
