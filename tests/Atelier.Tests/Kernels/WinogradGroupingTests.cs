using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

/// <summary>
/// Winograd on maps of at most 16 columns packs two or four tile rows into each vector: the same arithmetic per tile,
/// so the outputs and input gradients are the same bits as one tile row a vector. The weight gradient's chunks are cut
/// in whole row groups, which changes the order of its sums, so it agrees to rounding. Alone: the switch is process-wide.
/// </summary>
[Collection("alone")]
public sealed class WinogradGroupingTests
{
    [Theory]
    [InlineData(5, 32, 7, 7, 40)]    // rows of 4 tiles, four a vector
    [InlineData(9, 32, 3, 3, 32)]    // rows of 2 tiles, compressed lanes
    [InlineData(7, 40, 11, 11, 36)]  // rows of 6 tiles, two a vector
    [InlineData(16, 64, 14, 14, 64)] // resnet's and cnn-deep-bn's 14x14 layers
    public void Grouped_rows_give_the_same_bits_as_one_row_a_vector(int n, int c, int h, int w, int outC)
    {
        var g = new ConvGeometry(n, c, h, w, outC, 3, 1, 1);
        Assert.True(WinogradConvolution.HandlesBackward(g));
        var rng = new Rng(11);
        var x = ConvolutionTests.RandomArray(rng, n * c * h * w);
        var weight = ConvolutionTests.RandomArray(rng, outC * c * 9);
        var bias = ConvolutionTests.RandomArray(rng, outC);
        var dout = ConvolutionTests.RandomArray(rng, n * outC * g.OutPlane);
        // Grouping is F(2x2, 3x3)'s: this thread's convolutions take 2x2 tiles here.
        WinogradConvolution.LargeTiles = false;
        try
        {
            var grouped = Run(g, x, weight, bias, dout);
            WinogradConvolution.GroupSmallRows = false;
            var plain = Run(g, x, weight, bias, dout);
            Assert.Equal(plain.Y, grouped.Y);
            Assert.Equal(plain.Dx, grouped.Dx);
            Fixture.AssertClose(plain.Dw, grouped.Dw, rtol: 1e-5f, atol: 1e-5f, what: "weight gradient");
        }
        finally
        {
            WinogradConvolution.GroupSmallRows = true;
            WinogradConvolution.LargeTiles = true;
        }
    }

    private static (float[] Y, float[] Dx, float[] Dw) Run(ConvGeometry g, float[] x, float[] weight, float[] bias, float[] dout)
    {
        var columns = new float[Convolution.ColumnsLength(g)];
        var staging = new float[Convolution.StagingLength(g)];
        var y = new float[dout.Length];
        var dx = new float[x.Length];
        var dw = new float[weight.Length];
        Convolution.Forward(y, x, weight, bias, g, columns, staging, relu: true);
        Convolution.Backward(dx, false, dw, false, default, false, dout, x, weight, g, columns, staging);
        return (y, dx, dw);
    }
}
