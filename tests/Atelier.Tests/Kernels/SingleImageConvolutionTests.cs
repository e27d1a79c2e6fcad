using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

/// <summary>
/// Inference on one image or a few: PackedWeightConvolution (pixels as the GEMM's rows, weights packed once) against
/// direct loops in double, on every window shape it takes; and Winograd splitting one image's output channels across
/// threads, with the same bits as on one thread.
/// </summary>
[Collection("Workers.ThreadCount")]
public sealed class SingleImageConvolutionTests
{
    public static TheoryData<int[], string> Cases() => new()
    {
        // n, c, h, w, outC, kh, kw, sh, sw, ph, pw
        { [1, 256, 3, 3, 256, 3, 3, 1, 1, 1, 1], "resnet9's 3x3 maps: 9 pixels, a full and a one-row register tile, k over 9 blocks" },
        { [1, 128, 7, 7, 72, 3, 3, 1, 1, 1, 1], "7x7: 49 pixels, OutC not a multiple of the 32-wide panels" },
        { [3, 40, 5, 6, 33, 3, 3, 1, 1, 1, 1], "three images, odd channel counts" },
        { [2, 64, 14, 14, 48, 3, 3, 2, 2, 1, 1], "stride 2 (resnet's downsampling 3x3)" },
        { [1, 96, 9, 9, 64, 1, 1, 2, 2, 0, 0], "a 1x1 projection with stride 2" },
        { [1, 24, 6, 8, 40, 5, 3, 1, 2, 2, 1], "a 5x3 window, strides and paddings differing per axis" },
        { [2, 17, 4, 4, 20, 3, 3, 1, 1, 0, 0], "no padding: 2x2 outputs" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Packed_weights_match_direct_loops(int[] d, string what)
    {
        var g = new ConvGeometry(d[0], d[1], d[2], d[3], d[4], (d[5], d[6]), (d[7], d[8]), (d[9], d[10]));
        var rng = new Rng(21);
        var x = ConvolutionTests.RandomArray(rng, g.N * g.C * g.H * g.W);
        var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
        var bias = ConvolutionTests.RandomArray(rng, g.OutC);
        var expected = ConvolutionTests.Naive(g, x, weight, bias, new float[g.N * g.OutC * g.OutPlane]).Y;
        var packed = PackedWeightConvolution.Prepare(weight, g.C, g.OutC, g.Kernel);
        foreach (bool relu in (bool[])[false, true])
        {
            var y = new float[expected.Length];
            PackedWeightConvolution.Forward(y, x, packed, bias, g, new float[PackedWeightConvolution.ScratchLength(g)], relu);
            var reference = relu ? expected.Select(v => Math.Max(v, 0f)).ToArray() : expected;
            double rms = Math.Sqrt(reference.Average(v => (double)v * v));
            Fixture.AssertClose(reference, y, 1e-5f, 1e-5f * (float)Math.Max(1, rms), $"{what}, relu {relu}");
        }
        // Without bias the same kernel, the bias left out.
        var unbiased = new float[expected.Length];
        PackedWeightConvolution.Forward(unbiased, x, packed, default, g, new float[PackedWeightConvolution.ScratchLength(g)], relu: false);
        var noBias = ConvolutionTests.Naive(g, x, weight, [], new float[expected.Length]).Y;
        Fixture.AssertClose(noBias, unbiased, 1e-5f, 1e-4f, $"{what}, no bias");
    }

    [Fact]
    public void Packed_weights_give_the_same_bits_on_one_and_two_threads()
    {
        foreach (var g in (ConvGeometry[])[new(1, 256, 3, 3, 256, 3, 1, 1), new(1, 128, 7, 7, 256, 3, 1, 1), new(2, 64, 8, 8, 40, 3, 1, 1)])
        {
            var rng = new Rng(5);
            var x = ConvolutionTests.RandomArray(rng, g.N * g.C * g.H * g.W);
            var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
            var packed = PackedWeightConvolution.Prepare(weight, g.C, g.OutC, g.Kernel);
            var (one, two) = OnOneAndTwoThreads(g, y => PackedWeightConvolution.Forward(y, x, packed, default, g, new float[PackedWeightConvolution.ScratchLength(g)], relu: true));
            Assert.True(one.SequenceEqual(two), $"{g}: the thread count changed the result");
        }
    }

    [Fact]
    public void Winograd_splits_one_image_across_threads_with_the_same_bits()
    {
        foreach (var g in (ConvGeometry[])[new(1, 64, 14, 14, 128, 3, 1, 1), new(1, 32, 28, 28, 64, 3, 1, 1), new(1, 48, 20, 20, 40, 3, 1, 1)])
        foreach (bool pool in (bool[])[false, true])
        {
            Assert.True(WinogradConvolution.Handles(g, prepared: true), $"{g} should take Winograd");
            var rng = new Rng(9);
            var x = ConvolutionTests.RandomArray(rng, g.N * g.C * g.H * g.W);
            var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
            var bias = ConvolutionTests.RandomArray(rng, g.OutC);
            var filters = WinogradConvolution.Prepare(weight, g.C, g.OutC, WinogradConvolution.TileFor(g));
            int outputs = g.N * g.OutC * (pool ? g.OH / 2 * (g.OW / 2) : g.OutPlane);
            var (one, two) = OnOneAndTwoThreads(g, y => WinogradConvolution.Forward(y.AsSpan(0, outputs), x, weight, bias, g, relu: true, filters,
                pool: pool && WinogradConvolution.PoolsInPlace(g, prepared: true)), outputs);
            Assert.True(one.SequenceEqual(two), $"{g}, pool {pool}: the thread count changed the result");
            // And the split result is the convolution itself, against direct loops.
            if (pool) continue;
            var reference = ConvolutionTests.Naive(g, x, weight, bias, new float[outputs]).Y.Select(v => Math.Max(v, 0f)).ToArray();
            double rms = Math.Sqrt(reference.Average(v => (double)v * v));
            Fixture.AssertClose(reference, two, 1e-4f, 1e-4f * (float)Math.Max(1, rms), $"{g}");
        }
    }

    [Fact]
    public void One_14x14_image_multiplies_half_a_register_panel_and_ignores_the_other_half()
    {
        // 16 tiles: Tile8x16 leaves lanes 16-31 of the products unwritten. A 28x28 call first fills them with its own
        // products on this thread, so an output transform that read them would show here.
        var big = new ConvGeometry(2, 32, 28, 28, 64, 3, 1, 1);
        var rngBig = new Rng(3);
        var bigX = ConvolutionTests.RandomArray(rngBig, big.N * big.C * big.H * big.W);
        var bigW = ConvolutionTests.RandomArray(rngBig, big.OutC * big.ColumnRows);
        var g = new ConvGeometry(1, 32, 14, 14, 64, 3, 1, 1);
        var rng = new Rng(4);
        var x = ConvolutionTests.RandomArray(rng, g.C * g.H * g.W);
        var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
        var bias = ConvolutionTests.RandomArray(rng, g.OutC);
        var reference = ConvolutionTests.Naive(g, x, weight, bias, new float[g.OutC * g.OutPlane]).Y.Select(v => Math.Max(v, 0f)).ToArray();
        var pooledReference = new float[g.OutC * 49];
        Pooling.MaxForward2x2(pooledReference, reference, new ConvGeometry(1, g.OutC, 14, 14, g.OutC, 2, 2, 0));
        foreach (bool prepared in (bool[])[false, true])
        foreach (bool pool in (bool[])[false, true])
        {
            WinogradConvolution.Forward(new float[big.N * big.OutC * big.OutPlane], bigX, bigW, default, big);
            var filters = prepared ? WinogradConvolution.Prepare(weight, g.C, g.OutC, WinogradConvolution.TileFor(g)) : null;
            var y = new float[pool ? pooledReference.Length : reference.Length];
            WinogradConvolution.Forward(y, x, weight, bias, g, relu: true, filters, pool);
            var expected = pool ? pooledReference : reference;
            double rms = Math.Sqrt(expected.Average(v => (double)v * v));
            Fixture.AssertClose(expected, y, 1e-4f, 1e-4f * (float)Math.Max(1, rms), $"prepared {prepared}, pool {pool}");
        }
    }

    [Fact]
    public void A_1x1_map_under_a_padded_3x3_kernel_is_its_centre_taps_product()
    {
        var g = new ConvGeometry(3, 64, 1, 1, 40, 3, 1, 1);
        var centre = PackedWeightConvolution.AsCentreTap(g);
        Assert.NotNull(centre);
        var rng = new Rng(8);
        var x = ConvolutionTests.RandomArray(rng, g.N * g.C);
        var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
        var bias = ConvolutionTests.RandomArray(rng, g.OutC);
        var expected = ConvolutionTests.Naive(g, x, weight, bias, new float[g.N * g.OutC]).Y.Select(v => Math.Max(v, 0f)).ToArray();
        var y = new float[expected.Length];
        var packed = PackedWeightConvolution.PrepareCentre(weight, g.C, g.OutC, g.Kernel);
        PackedWeightConvolution.Forward(y, x, packed, bias, centre.Value, new float[PackedWeightConvolution.ScratchLength(centre.Value)], relu: true);
        Fixture.AssertClose(expected, y, 1e-5f, 1e-5f, "centre taps");
        // Any other map, padding or kernel reads more than the centre.
        Assert.Null(PackedWeightConvolution.AsCentreTap(new ConvGeometry(1, 64, 2, 2, 40, 3, 1, 1)));
        Assert.Null(PackedWeightConvolution.AsCentreTap(new ConvGeometry(1, 64, 1, 1, 40, 3, 1, 2)));
        Assert.Null(PackedWeightConvolution.AsCentreTap(new ConvGeometry(1, 64, 1, 1, 40, 1, 1, 0)));
    }

    [Fact]
    public void Packed_weights_are_preferred_only_for_few_output_pixels()
    {
        Assert.True(PackedWeightConvolution.Prefers(new ConvGeometry(1, 256, 3, 3, 256, 3, 1, 1)));
        Assert.True(PackedWeightConvolution.Prefers(new ConvGeometry(1, 128, 7, 7, 256, 3, 1, 1)));
        Assert.True(PackedWeightConvolution.Prefers(new ConvGeometry(2, 128, 6, 6, 128, 3, 1, 1)));
        // Unless Winograd's 4x4 tiles fill most of a vector: 16 3x3 maps, one 11x11 output, two 7x7.
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(16, 256, 3, 3, 256, 3, 1, 1)));
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(1, 32, 13, 13, 64, 3, 1, 0)));
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(2, 64, 7, 7, 64, 3, 1, 1)));
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(1, 64, 14, 14, 128, 3, 1, 1)));
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(64, 256, 3, 3, 256, 3, 1, 1)));
        // Few weights: packing them once saves little.
        Assert.False(PackedWeightConvolution.Prefers(new ConvGeometry(1, 8, 7, 7, 8, 3, 1, 1)));
    }

    [Fact]
    public void Mismatched_weights_and_short_buffers_are_refused()
    {
        var g = new ConvGeometry(1, 32, 3, 3, 64, 3, 1, 1);
        var packed = PackedWeightConvolution.Prepare(new float[64 * 32 * 9], 32, 64, 3);
        var y = new float[64 * 9];
        var x = new float[32 * 9];
        var other = new ConvGeometry(1, 16, 3, 3, 64, 3, 1, 1);
        Assert.Throws<ArgumentException>(() => PackedWeightConvolution.Forward(y, new float[16 * 9], packed, default, other, new float[PackedWeightConvolution.ScratchLength(other)], false));
        Assert.Throws<ArgumentException>(() => PackedWeightConvolution.Forward(y, x, packed, default, g, new float[PackedWeightConvolution.ScratchLength(g) - 1], false));
        Assert.Throws<ArgumentException>(() => PackedWeightConvolution.Forward(y.AsSpan(1), x, packed, default, g, new float[PackedWeightConvolution.ScratchLength(g)], false));
        Assert.Throws<ArgumentException>(() => PackedWeightConvolution.Prepare(new float[10], 32, 64, 3));
    }

    private static (float[] One, float[] Two) OnOneAndTwoThreads(ConvGeometry g, Action<float[]> forward, int? outputs = null)
    {
        int length = outputs ?? g.N * g.OutC * g.OutPlane;
        var one = new float[length];
        var two = new float[length];
        int saved = Workers.ThreadCount;
        try
        {
            Workers.ThreadCount = 1;
            forward(one);
            Workers.ThreadCount = 2;
            forward(two);
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
        return (one, two);
    }
}
