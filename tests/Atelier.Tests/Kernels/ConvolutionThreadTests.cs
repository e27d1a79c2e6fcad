using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

/// <summary>
/// Convolutions give the same bits on 1 and 2 threads. In the Workers.ThreadCount collection: the thread count is
/// process-wide, and a test that sets it beside this one would make "one thread" run on two.
/// </summary>
[Collection("Workers.ThreadCount")]
public sealed class ConvolutionThreadTests
{
    [Theory]
    [InlineData(1, 64, 16, 14)]  // one input channel: the direct kernel
    [InlineData(16, 64, 16, 14)] // Winograd forward, im2col input gradient, weights by shifted rows
    [InlineData(64, 64, 16, 14)] // Winograd throughout
    [InlineData(128, 96, 64, 3)] // Winograd on 3x3 maps: filter and weight-gradient transforms split across the threads
    [InlineData(128, 256, 16, 7)] // resnet9's 7x7 layer: 4x4 tiles, 16-tile vectors spanning tile rows and images
    [InlineData(256, 256, 128, 3)] // resnet9's 3x3 layers at batch 128: one chunk on two threads (shared V), two on one
    [InlineData(128, 256, 40, 7)] // 80 tile rows: chunks sized for two threads differ from one thread's
    [InlineData(32, 64, 16, 28)] // resnet9's 28x28 layer: 4x4 tiles, two whole tile rows a vector
    [InlineData(32, 4, 16, 14)]  // few output channels: the narrow direct kernel
    [InlineData(12, 40, 16, 14)] // im2col, weights by shifted rows
    [InlineData(16, 16, 16, 28)] // resnet-small's 16 -> 16: weights by shifted rows in 8 groups
    [InlineData(12, 40, 3, 14)]  // three samples in three groups: the threads' shares differ
    public void Results_are_bit_identical_on_one_and_two_threads(int channels, int outChannels, int n, int size)
        => CheckOneAgainstTwoThreads(new ConvGeometry(n, channels, size, size, outChannels, 3, 1, 1));

    [Theory]
    [InlineData(32, 64, 16, 28, 3, 1)] // resnet's downsampling 3x3: one sample a thread
    [InlineData(32, 64, 16, 28, 1, 0)] // its 1x1 projection
    [InlineData(64, 128, 16, 14, 3, 1)] // weights past one-sample-a-thread's limit: batched im2col
    [InlineData(16, 32, 3, 28, 3, 1)]  // three samples: the threads' shares differ
    [InlineData(16, 32, 1, 28, 3, 1)]  // one image: the strided direct kernel splits it into bands of rows
    public void Strided_results_are_bit_identical_on_one_and_two_threads(int channels, int outChannels, int n, int size, int kernel, int padding)
        => CheckOneAgainstTwoThreads(new ConvGeometry(n, channels, size, size, outChannels, kernel, 2, padding));

    private static void CheckOneAgainstTwoThreads(ConvGeometry g)
    {
        var rng = new Rng(3);
        var x = ConvolutionTests.RandomArray(rng, g.N * g.C * g.H * g.W);
        var weight = ConvolutionTests.RandomArray(rng, g.OutC * g.ColumnRows);
        var bias = ConvolutionTests.RandomArray(rng, g.OutC);
        var dout = ConvolutionTests.RandomArray(rng, g.N * g.OutC * g.OutPlane);
        (float[] Y, float[] Dx, float[] Dw, float[] Db) Once(int threads)
        {
            int saved = Workers.ThreadCount;
            try
            {
                Workers.ThreadCount = threads;
                var columns = new float[Convolution.ColumnsLength(g)];
                var staging = new float[Convolution.StagingLength(g)];
                var y = new float[dout.Length];
                var dx = new float[x.Length];
                var dw = new float[weight.Length];
                var db = new float[bias.Length];
                Convolution.Forward(y, x, weight, bias, g, columns, staging);
                Convolution.Backward(dx, false, dw, false, db, false, dout, x, weight, g, columns, staging);
                return (y, dx, dw, db);
            }
            finally
            {
                Workers.ThreadCount = saved;
            }
        }
        var one = Once(1);
        var two = Once(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dw, two.Dw);
        Assert.Equal(one.Db, two.Db);
    }
}
