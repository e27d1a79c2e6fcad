using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

public sealed class ConvolutionTests
{
    // N, C, H, W, OutC, kh, kw, sh, sw, ph, pw
    public static TheoryData<int[]> EdgeCases => new()
    {
        new[] { 1, 1, 28, 28, 4, 3, 3, 1, 1, 1, 0 },   // batch 1, padding (1, 0): 28x26
        new[] { 3, 2, 7, 9, 3, 3, 2, 2, 2, 1, 0 },     // odd sizes, stride 2, non-square kernel
        new[] { 2, 3, 5, 6, 2, 2, 3, 2, 1, 0, 2 },     // per-dimension stride, padding wider than needed
        new[] { 4, 5, 6, 6, 3, 1, 1, 1, 1, 0, 0 },     // pointwise, several samples per chunk
        new[] { 1, 5, 6, 6, 3, 1, 1, 1, 1, 0, 0 },     // pointwise, one sample: the image is its own column matrix
        new[] { 2, 1, 4, 4, 2, 4, 4, 1, 1, 0, 0 },     // kernel as large as the image: 1x1 output
        new[] { 2, 2, 5, 5, 2, 3, 3, 3, 3, 2, 2 },     // stride 3 with padding larger than the kernel overhang
        new[] { 8, 16, 32, 32, 2, 3, 3, 1, 1, 1, 1 },  // 150k scratch floats per sample: chunks of 3, 3 and 2 samples
        new[] { 9, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1 },  // one input channel, 3x3: the direct kernel, split across workers
        new[] { 3, 1, 20, 37, 5, 3, 3, 1, 1, 0, 2 },   // direct kernel: no row padding, wide padded rows of 39 outputs
        new[] { 6, 12, 14, 14, 40, 3, 3, 1, 1, 1, 1 }, // 12 channels: im2col forward and input gradient (col2im on the workers), weights by shifted rows
        new[] { 3, 9, 7, 7, 10, 3, 3, 1, 1, 1, 1 },    // Winograd: odd output (7x7), a partial last tile, OutC not a multiple of 8
        new[] { 2, 8, 9, 36, 8, 3, 3, 1, 1, 0, 1 },    // Winograd: no row padding (7x36 out), 18 tiles per row (two vectors)
        new[] { 8, 16, 6, 5, 17, 3, 3, 1, 1, 0, 0 },   // Winograd forward: no padding (4x3 out), 8 samples for a full tile panel
        new[] { 3, 64, 7, 9, 72, 3, 3, 1, 1, 1, 1 },   // Winograd gradients too: odd sizes, several weight-gradient chunks
        new[] { 8, 66, 6, 5, 64, 3, 3, 1, 1, 0, 0 },   // Winograd gradients, no padding: the input gradient pads by 2
        new[] { 8, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1 }, // Winograd weight gradient over two chunks in two groups
        new[] { 5, 32, 7, 7, 40, 3, 3, 1, 1, 1, 1 },   // Winograd, rows of 4 tiles: four tile rows a vector, groups across images
        new[] { 72, 32, 3, 3, 40, 3, 3, 1, 1, 1, 1 },  // Winograd on 3x3 maps: the weight gradient's 288 tiles in four chunks
        new[] { 9, 32, 3, 3, 32, 3, 3, 1, 1, 1, 1 },   // rows of 2 tiles: four a vector, lanes compressed, a last group of 2 rows
        new[] { 4, 48, 16, 16, 32, 3, 3, 1, 1, 1, 1 }, // rows of 8 tiles: two a vector, nothing to compress
        new[] { 7, 40, 11, 11, 36, 3, 3, 1, 1, 1, 1 }, // rows of 6 tiles: two a vector, lanes compressed, odd output edge
        new[] { 3, 32, 13, 30, 40, 3, 3, 1, 1, 0, 0 }, // 4x4 tiles, whole tile rows a vector: 7 tiles a row, no padding, a last vector of one row
        new[] { 2, 32, 10, 22, 33, 3, 3, 1, 1, 1, 0 }, // 4x4 tiles, rows of 5 tiles (three a vector), padding (1, 0), a partial last tile row
        new[] { 2, 32, 9, 24, 32, 3, 3, 1, 1, 1, 1 },  // 4x4 tiles, rows of 6 tiles: two a vector, 12 of 16 lanes
        new[] { 5, 32, 14, 13, 4, 3, 3, 1, 1, 1, 1 },  // few output channels (cnn-c's 32 -> 4): the direct narrow kernel
        new[] { 3, 11, 9, 37, 7, 3, 3, 1, 1, 0, 2 },   // narrow kernel: 7 outputs, wide rows, padding (0, 2)
        new[] { 2, 3, 5, 4, 1, 3, 3, 1, 1, 1, 0 },     // narrow kernel: one output channel, 3 input channels
        new[] { 2, 3, 9, 37, 4, 3, 3, 2, 2, 1, 1 },    // stride 2, 19 outputs a row: the even-lane gather and scatter over two vectors
        new[] { 2, 16, 28, 28, 32, 3, 3, 2, 2, 1, 1 }, // resnet-small's downsampling 3x3
        new[] { 3, 4, 14, 45, 3, 1, 1, 2, 2, 0, 0 },   // a strided 1x1 projection, 23 outputs a row, odd input width
        new[] { 1, 2, 8, 40, 2, 3, 3, 1, 2, 0, 2 },    // stride (1, 2), padding 2 along x: the first and last outputs read padding
        new[] { 5, 16, 28, 28, 32, 3, 3, 2, 2, 1, 1 }, // resnet-small's downsampling 3x3, five images: one sample a thread
        new[] { 6, 16, 14, 15, 24, 1, 1, 2, 2, 0, 0 }, // a strided 1x1 projection, one sample a thread
        new[] { 3, 64, 9, 9, 64, 3, 3, 2, 2, 1, 1 },   // weights past SampleByThread's limit: batched im2col, staging to NCHW
        new[] { 1, 5, 9, 13, 64, 3, 3, 2, 2, 1, 1 },   // strided direct kernel: one image in bands of rows, 7 outputs a row, two channel blocks
        new[] { 2, 3, 14, 31, 32, 1, 1, 2, 2, 0, 0 },  // a strided 1x1 projection with 32 outputs: left to one sample a thread
        new[] { 3, 2, 10, 35, 32, 2, 3, 2, 2, 0, 1 },  // strided direct kernel: 2x3 kernel, 18 outputs a row (a tile of 2), no row padding
        new[] { 2, 1, 4, 4, 32, 3, 3, 2, 2, 1, 1 },    // strided direct kernel: one channel, 2x2 outputs
        new[] { 2, 32, 13, 17, 32, 3, 3, 2, 2, 1, 1 }, // strided input gradient by phases: odd sizes, phases of 7 and 6 rows
        new[] { 1, 32, 10, 11, 64, 2, 3, 2, 2, 0, 1 }, // strided input gradient: 2x3 kernel, one tap row a phase, no row padding
        new[] { 2, 32, 6, 9, 32, 1, 3, 2, 2, 0, 1 },   // strided input gradient: odd rows have no taps (zeros)
        new[] { 2, 64, 12, 40, 32, 3, 3, 2, 2, 1, 1 }, // strided input gradient: two channel blocks, phase rows of 20 (tiles of 8, 8, 4)
        new[] { 1, 16, 9, 35, 32, 3, 3, 2, 2, 1, 1 },  // strided input gradient, 16 channels: tiles of 16 pixels, phase rows of 18 and 17
        new[] { 2, 48, 7, 7, 64, 3, 3, 2, 2, 1, 1 },   // strided input gradient, 48 channels: three blocks of 16
        new[] { 5, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1 }, // resnet-small's 16 -> 16: the weight gradient by shifted rows, 5 groups of one
        new[] { 3, 4, 9, 37, 9, 3, 3, 1, 1, 0, 1 },    // shifted rows: a last block of one output channel, three vectors a row, padding (0, 1)
        new[] { 1, 2, 12, 10, 20, 3, 3, 1, 1, 1, 0 },  // shifted rows: one image, 8 outputs a row, blocks of 8, 8 and 4
        new[] { 11, 24, 10, 17, 12, 3, 3, 1, 1, 1, 1 }, // shifted rows: 11 images in 8 groups, 17 outputs a row (a one-lane tail)
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Matches_naive_reference_on_edge_cases(int[] d) => CompareWithNaive(Geometry(d), new Rng(42), withBias: true);

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Matches_naive_reference_with_2x2_winograd_tiles(int[] d)
    {
        WinogradConvolution.LargeTiles = false;
        try
        {
            CompareWithNaive(Geometry(d), new Rng(45), withBias: true);
        }
        finally
        {
            WinogradConvolution.LargeTiles = true;
        }
    }

    [Fact]
    public void Matches_naive_reference_on_random_shapes()
    {
        var rng = new Rng(2024);
        for (int trial = 0; trial < 25; trial++)
        {
            int kh = 1 + rng.NextInt(4), kw = 1 + rng.NextInt(4), sh = 1 + rng.NextInt(3), sw = 1 + rng.NextInt(3);
            int ph = rng.NextInt(3), pw = rng.NextInt(3);
            int h = Math.Max(1, kh - 2 * ph) + rng.NextInt(8), w = Math.Max(1, kw - 2 * pw) + rng.NextInt(8);
            var g = new ConvGeometry(1 + rng.NextInt(4), 1 + rng.NextInt(4), h, w, 1 + rng.NextInt(5), (kh, kw), (sh, sw), (ph, pw));
            CompareWithNaive(g, rng, withBias: trial % 3 != 0);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Matches_naive_reference_without_winograd(int[] d)
    {
        WinogradOff.Run(() => CompareWithNaive(Geometry(d), new Rng(43), withBias: true));
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void The_relu_epilogue_is_max_of_the_plain_output_and_zero_in_every_kernel(int[] d)
    {
        var g = Geometry(d);
        void Check()
        {
            var rng = new Rng(44);
            var x = RandomArray(rng, g.N * g.C * g.H * g.W);
            var weight = RandomArray(rng, g.OutC * g.ColumnRows);
            var bias = RandomArray(rng, g.OutC);
            var columns = new float[Convolution.ColumnsLength(g)];
            var staging = new float[Convolution.StagingLength(g)];
            var plain = new float[g.N * g.OutC * g.OutPlane];
            var fused = new float[plain.Length];
            Convolution.Forward(plain, x, weight, bias, g, columns, staging);
            Convolution.Forward(fused, x, weight, bias, g, columns, staging, relu: true);
            if (plain.Length > 8) Assert.Contains(plain, v => v < 0); // not vacuous: some outputs are clipped
            Assert.Equal(plain.Select(v => MathF.Max(v, 0f)).ToArray(), fused);
        }
        Check();
        WinogradOff.Run(Check);
    }

    [Theory]
    [InlineData(16, 17, 8, 6, 5)]  // OutC not a multiple of 8
    [InlineData(64, 64, 1, 14, 14)]
    [InlineData(33, 40, 2, 7, 9)]
    public void Winograd_filters_prepared_once_give_the_same_bits_as_transforming_each_call(int c, int outC, int n, int h, int w)
    {
        var g = new ConvGeometry(n, c, h, w, outC, 3, 1, 1);
        Assert.True(WinogradConvolution.Handles(g));
        var rng = new Rng(5);
        var x = RandomArray(rng, n * c * h * w);
        var weight = RandomArray(rng, outC * c * 9);
        var bias = RandomArray(rng, outC);
        var each = new float[n * outC * g.OutPlane];
        var once = new float[each.Length];
        Convolution.Forward(each, x, weight, bias, g, [], [], relu: true);
        var prepared = WinogradConvolution.Prepare(weight, c, outC, WinogradConvolution.TileFor(g));
        Convolution.Forward(once, x, weight, bias, g, [], [], relu: true, prepared);
        Assert.Equal(each, once);
        var other = new ConvGeometry(n, c + 1, h, w, outC, 3, 1, 1);
        Assert.Throws<ArgumentException>(() => WinogradConvolution.Forward(new float[n * outC * other.OutPlane], new float[n * (c + 1) * h * w], new float[outC * (c + 1) * 9], bias, other, prepared: prepared));
    }

    [Fact]
    public void Winograd_handles_the_cnn_layers()
    {
        Assert.True(WinogradConvolution.Handles(new ConvGeometry(64, 32, 14, 14, 64, 3, 1, 1)));
        Assert.True(WinogradConvolution.Handles(new ConvGeometry(64, 128, 28, 28, 128, 3, 1, 1)));
        Assert.False(WinogradConvolution.Handles(new ConvGeometry(64, 1, 28, 28, 32, 3, 1, 1)));
        Assert.False(WinogradConvolution.Handles(new ConvGeometry(64, 32, 14, 14, 64, 3, 2, 1)));
        // One small image has too few tiles to pay for the filter transform; a batch of them has enough.
        Assert.False(WinogradConvolution.Handles(new ConvGeometry(1, 128, 7, 7, 128, 3, 1, 1)));
        Assert.True(WinogradConvolution.Handles(new ConvGeometry(1, 128, 7, 7, 128, 3, 1, 1), prepared: true)); // 16 tiles: enough with prepared filters
        Assert.False(WinogradConvolution.Handles(new ConvGeometry(1, 256, 3, 3, 256, 3, 1, 1), prepared: true)); // 4 tiles
        Assert.True(WinogradConvolution.Handles(new ConvGeometry(2, 128, 7, 7, 128, 3, 1, 1)));
        Assert.True(WinogradConvolution.Handles(new ConvGeometry(1, 64, 14, 14, 64, 3, 1, 1)));
        Assert.True(WinogradConvolution.HandlesBackward(new ConvGeometry(64, 32, 14, 14, 64, 3, 1, 1)));
        Assert.False(WinogradConvolution.HandlesBackward(new ConvGeometry(64, 16, 14, 14, 64, 3, 1, 1)));
        Assert.True(WinogradConvolution.HandlesBackward(new ConvGeometry(64, 128, 28, 28, 128, 3, 1, 1)));
    }

    [Fact]
    public void Shifted_rows_take_the_weight_gradients_that_neither_the_narrow_kernel_nor_winograd_takes()
    {
        Assert.True(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 16, 28, 28, 16, 3, 1, 1))); // resnet-small's 16 -> 16
        Assert.True(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 16, 14, 14, 64, 3, 1, 1)));
        Assert.False(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 32, 28, 28, 32, 3, 1, 1))); // Winograd's
        Assert.False(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 32, 14, 14, 4, 3, 1, 1)));  // the narrow kernel's
        Assert.False(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 16, 28, 28, 32, 3, 2, 1))); // stride 2
        Assert.False(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 16, 7, 7, 16, 3, 1, 1)));   // rows of 7: lanes idle
        Assert.False(ShiftedRowWeightGradient.Handles(new ConvGeometry(64, 1, 28, 28, 16, 3, 1, 1)));  // one channel: direct
    }

    private static ConvGeometry Geometry(int[] d) => new(d[0], d[1], d[2], d[3], d[4], (d[5], d[6]), (d[7], d[8]), (d[9], d[10]));

    private static void CompareWithNaive(ConvGeometry g, Rng rng, bool withBias)
    {
        var x = RandomArray(rng, g.N * g.C * g.H * g.W);
        var weight = RandomArray(rng, g.OutC * g.ColumnRows);
        var bias = withBias ? RandomArray(rng, g.OutC) : [];
        var dout = RandomArray(rng, g.N * g.OutC * g.OutPlane);
        var columns = new float[Convolution.ColumnsLength(g)];
        var staging = new float[Convolution.StagingLength(g)];

        var y = new float[dout.Length];
        Convolution.Forward(y, x, weight, bias, g, columns, staging);
        var (yRef, dxRef, dwRef, dbRef) = Naive(g, x, weight, bias, dout);
        Close(yRef, y, $"y {g}");

        // Accumulate into non-zero gradients, then overwrite them: both protocols must hold.
        var dx = RandomArray(rng, x.Length);
        var dw = RandomArray(rng, weight.Length);
        var db = RandomArray(rng, Math.Max(1, bias.Length))[..bias.Length];
        var (dx0, dw0, db0) = ((float[])dx.Clone(), (float[])dw.Clone(), (float[])db.Clone());
        Convolution.Backward(dx, true, dw, true, db, true, dout, x, weight, g, columns, staging);
        Close(Add(dxRef, dx0), dx, $"dx accumulated {g}");
        Close(Add(dwRef, dw0), dw, $"dweight accumulated {g}");
        Close(Add(dbRef, db0), db, $"dbias accumulated {g}");
        Convolution.Backward(dx, false, dw, false, db, false, dout, x, weight, g, columns, staging);
        Close(dxRef, dx, $"dx {g}");
        Close(dwRef, dw, $"dweight {g}");
        Close(dbRef, db, $"dbias {g}");

        // Without an input gradient the kernel must leave the rest unchanged.
        Convolution.Backward(default, false, dw, false, default, false, dout, x, weight, g, columns, staging);
        Close(dwRef, dw, $"dweight without dx {g}");
    }

    // Within 1e-4 of the value plus 1e-4 of the reference's RMS (at least 1): Winograd's F(4x4, 3x3) rounds to about 3e-5
    // of the RMS (5e-5 with 256 channels), ten times F(2x2, 3x3), since its transforms multiply by up to 8 and divide by 24.
    private static void Close(float[] expected, float[] actual, string what)
    {
        double rms = expected.Length == 0 ? 0 : Math.Sqrt(expected.Average(v => (double)v * v));
        Fixture.AssertClose(expected, actual, 1e-4f, 1e-4f * (float)Math.Max(1, rms), what);
    }

    // Direct loops in double: y = W ⋆ x + b and its three gradients for output gradient dout.
    internal static (float[] Y, float[] Dx, float[] Dw, float[] Db) Naive(ConvGeometry g, float[] x, float[] w, float[] b, float[] dout)
    {
        int kh = g.Kernel.Height, kw = g.Kernel.Width;
        var y = new double[dout.Length];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[b.Length];
        for (int n = 0; n < g.N; n++)
            for (int oc = 0; oc < g.OutC; oc++)
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int o = ((n * g.OutC + oc) * g.OH + oh) * g.OW + ow;
                        double sum = b.Length > 0 ? b[oc] : 0;
                        if (b.Length > 0) db[oc] += dout[o];
                        for (int c = 0; c < g.C; c++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++)
                                {
                                    int ih = oh * g.Stride.Height - g.Padding.Height + i, iw = ow * g.Stride.Width - g.Padding.Width + j;
                                    if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                                    int xi = ((n * g.C + c) * g.H + ih) * g.W + iw, wi = ((oc * g.C + c) * kh + i) * kw + j;
                                    sum += (double)w[wi] * x[xi];
                                    dx[xi] += (double)w[wi] * dout[o];
                                    dw[wi] += (double)x[xi] * dout[o];
                                }
                        y[o] = sum;
                    }
        return (ToFloat(y), ToFloat(dx), ToFloat(dw), ToFloat(db));
    }

    internal static float[] RandomArray(Rng rng, int length)
    {
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = rng.Normal();
        return a;
    }

    internal static float[] ToFloat(double[] values)
    {
        var a = new float[values.Length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)values[i];
        return a;
    }

    private static float[] Add(float[] a, float[] b)
    {
        var sum = new float[a.Length];
        for (int i = 0; i < a.Length; i++) sum[i] = a[i] + b[i];
        return sum;
    }
}
