using Atelier.Nn;

namespace Atelier.Models;

/// <summary>
/// Residual networks for 28x28 (the reports' "future work"): a 3x3 stem, three stages of basic blocks
/// (x + conv-BN-ReLU-conv-BN, projected by a strided 1x1 conv + BN when the shape changes), global average pool.
/// </summary>
public static class ResNets
{
    /// <summary>Stages of 32, 64, 128 channels, 2 blocks each (14 weight layers).</summary>
    public static Module ResNet(ModelOptions o) => Build(o, [32, 64, 128], blocksPerStage: 2);

    /// <summary>A smaller, faster one: stages of 16, 32, 64 channels, one block each.</summary>
    public static Module ResNetSmall(ModelOptions o) => Build(o, [16, 32, 64], blocksPerStage: 1);

    /// <summary>
    /// ResNet-9 of the DAWNBench entries (Page, "How to train your ResNet", 2018) at half width for 28x28: conv 32; conv 64
    /// and pool, then a residual of two; conv 128 and pool; conv 256 and pool, then a residual of two; average pool, linear.
    /// Downsampling by max pool instead of strided convolutions, identity shortcuts: every convolution is a 3x3 of
    /// stride 1, the kernel the engine runs fastest (Winograd), and 9 weight layers reach a 3x3 map with 256 channels.
    /// </summary>
    public static Module ResNet9(ModelOptions o)
    {
        var layers = new List<Module>();
        layers.AddRange(ConvBnRelu(o.Channels, 32));
        layers.AddRange([.. ConvBnRelu(32, 64), new MaxPool2d(2), ResidualPair(64)]);
        layers.AddRange([.. ConvBnRelu(64, 128), new MaxPool2d(2)]);
        layers.AddRange([.. ConvBnRelu(128, 256), new MaxPool2d(2), ResidualPair(256)]);
        layers.AddRange([new AdaptiveAvgPool2d(1), new Flatten()]);
        if (o.Dropout is float p && p > 0) layers.Add(new Dropout(p));
        layers.Add(new Linear(256, o.Classes));
        return new Sequential([.. layers]);
    }

    private static Module[] ConvBnRelu(int inC, int outC) => [Conv(inC, outC, 3, 1), new BatchNorm2d(outC), new ReLU()];

    // x + (conv-BN-ReLU twice)(x): ResNet-9's residual, with no ReLU after the add.
    private static Residual ResidualPair(int c) => new(new Sequential([.. ConvBnRelu(c, c), .. ConvBnRelu(c, c)]));

    private static Sequential Build(ModelOptions o, int[] widths, int blocksPerStage)
    {
        var layers = new List<Module> { Conv(o.Channels, widths[0], 3, 1), new BatchNorm2d(widths[0]), new ReLU() };
        int inC = widths[0];
        for (int stage = 0; stage < widths.Length; stage++)
            for (int block = 0; block < blocksPerStage; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                layers.Add(BasicBlock(inC, widths[stage], stride));
                layers.Add(new ReLU());
                inC = widths[stage];
            }
        layers.AddRange([new AdaptiveAvgPool2d(1), new Flatten()]);
        if (o.Dropout is float p && p > 0) layers.Add(new Dropout(p));
        layers.Add(new Linear(inC, o.Classes));
        return new Sequential([.. layers]);
    }

    private static Residual BasicBlock(int inC, int outC, int stride)
    {
        var body = new Sequential(
            Conv(inC, outC, 3, stride), new BatchNorm2d(outC), new ReLU(),
            Conv(outC, outC, 3, 1), new BatchNorm2d(outC));
        Module? shortcut = stride != 1 || inC != outC
            ? new Sequential(new Conv2d(inC, outC, (1, 1), stride: (stride, stride), padding: (0, 0), bias: false), new BatchNorm2d(outC))
            : null;
        return new Residual(body, shortcut);
    }

    private static Conv2d Conv(int inC, int outC, int kernel, int stride) =>
        new(inC, outC, (kernel, kernel), stride: (stride, stride), padding: (kernel / 2, kernel / 2), bias: false);
}
