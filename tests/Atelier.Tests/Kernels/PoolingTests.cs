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

    [Theory]
    [InlineData(64, 32, 28, 28)] // the default CNN's first pool: planes split across the workers
    [InlineData(3, 5, 40, 41)]   // rows wider than one 16-output vector, odd width
    [InlineData(2, 70, 13, 13)]  // odd sizes: the last row and column belong to no window
    public void Max_pool_2x2_matches_naive_reference_on_large_shapes(int n, int c, int h, int w)
    {
        var rng = new Rng((ulong)(n * 1000 + w));
        var g = new ConvGeometry(n, c, h, w, c, 2, 2, 0);
        var x = ConvolutionTests.RandomArray(rng, n * c * h * w);
        for (int i = 0; i < x.Length; i += 97) x[i] = x[i + 1]; // ties: the first maximum must win
        var dout = ConvolutionTests.RandomArray(rng, n * c * g.OutPlane);
        var (maxRef, dxMaxRef, _, _) = Naive(g, x, dout);
        var y = new float[dout.Length];
        var argmax = new int[dout.Length];
        Pooling.MaxForward(y, argmax, x, g);
        Fixture.AssertClose(maxRef, y, 0, 0, "max");
        var dx = new float[x.Length];
        dx.AsSpan().Fill(1);
        Pooling.MaxBackward(dx, false, dout, argmax, g);
        Fixture.AssertClose(dxMaxRef, dx, 0, 0, "max dx");
        Pooling.MaxBackward(dx, true, dout, argmax, g);
        for (int i = 0; i < dx.Length; i++) Assert.Equal(2 * dxMaxRef[i], dx[i]);
    }

    [Fact]
    public void Max_pool_2x2_lets_NaN_win_as_PyTorch()
    {
        // One 2x2 window per output; NaN at each position in turn, and two NaNs (the later one is reported, as PyTorch's loop does).
        var g = new ConvGeometry(1, 1, 2, 40, 1, 2, 2, 0);
        var x = new float[80];
        for (int i = 0; i < 80; i++) x[i] = i % 7;
        int[] nanAt = [0, 3, 43, 4, 5, 44, 45];
        foreach (int i in nanAt) x[i] = float.NaN;
        var y = new float[20];
        var argmax = new int[20];
        Pooling.MaxForward(y, argmax, x, g);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(0, argmax[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(43, argmax[1]);
        Assert.True(float.IsNaN(y[2]));
        Assert.Equal(45, argmax[2]);
        for (int o = 3; o < 20; o++) Assert.False(float.IsNaN(y[o]));
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
