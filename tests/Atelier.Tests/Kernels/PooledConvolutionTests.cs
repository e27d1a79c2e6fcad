using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

/// <summary>
/// Convolution.ForwardPooled (inference's convolution + MaxPool2d(2) in one pass) against the two layers apart: the
/// convolution's own output, then the training path's max pool, for every kernel it can take (pooling as they write: the
/// one-channel direct kernel, Winograd with 4x4 tiles by whole tile rows and by any 16 tiles; elsewhere the full output,
/// then the pool).
/// </summary>
public sealed class PooledConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, string> Cases() => new()
    {
        // n, c, h, w, outC, padding, what it covers
        { 4, 32, 28, 28, 64, 1, "4x4 tiles, two rows of 7 tiles a vector (resnet9's 28x28 layer)" },
        { 3, 64, 14, 14, 40, 1, "4x4 tiles, four rows of 4 tiles a vector, OutC not a multiple of 8" },
        { 2, 32, 13, 30, 24, 0, "4x4 tiles, no padding: 11x28 output, the odd last row dropped" },
        { 3, 32, 11, 11, 33, 1, "4x4 tiles, rows of 3 tiles: 11x11 output pooled to 5x5" },
        { 5, 48, 7, 7, 32, 1, "4x4 tiles of any 16 tiles (7x7): pooled to 3x3" },
        { 9, 32, 3, 3, 32, 1, "4x4 tiles on 3x3 maps: one pooled value per channel" },
        { 2, 32, 6, 36, 32, 1, "2x2 tiles (rows of 18 tiles): the full output, then the pool" },
        { 4, 1, 28, 28, 32, 1, "one input channel: the direct kernel pooling as it writes" },
        { 3, 1, 27, 13, 20, 0, "one input channel, no padding: 25x11 output, the odd last row and column dropped" },
        { 3, 12, 10, 9, 20, 1, "12 channels: im2col, then the pool" },
        { 3, 32, 14, 13, 4, 1, "four output channels: the narrow kernel, then the pool" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_the_convolution_then_the_pool(int n, int c, int h, int w, int outC, int padding, string what)
    {
        var g = new ConvGeometry(n, c, h, w, outC, 3, 1, padding);
        var rng = new Rng(11);
        var x = ConvolutionTests.RandomArray(rng, n * c * h * w);
        var weight = ConvolutionTests.RandomArray(rng, outC * c * 9);
        var bias = ConvolutionTests.RandomArray(rng, outC);
        var pool = new ConvGeometry(n, outC, g.OH, g.OW, outC, 2, 2, 0);
        foreach (bool relu in (bool[])[false, true])
        foreach (bool prepared in (bool[])[false, true])
        {
            var filters = prepared && WinogradConvolution.Handles(g, prepared: true)
                ? WinogradConvolution.Prepare(weight, c, outC, WinogradConvolution.TileFor(g)) : null;
            var full = new float[n * outC * g.OutPlane];
            Convolution.Forward(full, x, weight, bias, g, new float[Convolution.ColumnsLength(g)], new float[Convolution.StagingLength(g)], relu, filters);
            var expected = new float[n * outC * pool.OutPlane];
            Pooling.MaxForward(expected, new int[expected.Length], full, pool);
            var actual = new float[expected.Length];
            Convolution.ForwardPooled(actual, x, weight, bias, g, new float[Convolution.ColumnsLength(g)], new float[Convolution.StagingLength(g)],
                new float[full.Length], relu, filters);
            // The pooled kernel takes the maximum of the same values the convolution writes: equal bits.
            Assert.True(expected.SequenceEqual(actual), $"{what}, relu {relu}, prepared {prepared}: first difference at {FirstDifference(expected, actual)}");
        }
    }

    [Fact]
    public void Winograd_pools_as_it_writes_only_with_4x4_tiles()
    {
        Assert.True(WinogradConvolution.PoolsInPlace(new ConvGeometry(4, 32, 28, 28, 64, 3, 1, 1)));
        Assert.False(WinogradConvolution.PoolsInPlace(new ConvGeometry(2, 32, 6, 36, 32, 3, 1, 1)));
        var g = new ConvGeometry(2, 32, 6, 36, 32, 3, 1, 1);
        Assert.Throws<ArgumentException>(() => WinogradConvolution.Forward(new float[2 * 32 * 3 * 18], new float[2 * 32 * 6 * 36], new float[32 * 32 * 9], [], g, pool: true));
    }

    [Fact]
    public void A_pool_that_does_not_fit_the_output_is_refused()
    {
        var g = new ConvGeometry(2, 32, 1, 8, 32, 3, 1, 1);
        var error = Assert.Throws<ArgumentException>(() => Convolution.ForwardPooled(new float[64], new float[2 * 32 * 8], new float[32 * 32 * 9], [], g,
            new float[Convolution.ColumnsLength(g)], new float[Convolution.StagingLength(g)], new float[2 * 32 * 8]));
        Assert.Contains("1x8", error.Message);
    }

    private static int FirstDifference(float[] a, float[] b) => Enumerable.Range(0, a.Length).FirstOrDefault(i => a[i] != b[i], -1);
}
