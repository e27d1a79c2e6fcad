using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class PoolLayerTests
{
    public static TheoryData<string> Cases => new() { "max2", "max3s2p1", "avg2", "avg3s2p1", "adaptive" };

    private static Module Layer(string key) => key switch
    {
        "max2" => new MaxPool2d(2),
        "max3s2p1" => new MaxPool2d(3, stride: 2, padding: 1),
        "avg2" => new AvgPool2d(2),
        "avg3s2p1" => new AvgPool2d(3, stride: 2, padding: 1),
        _ => new AdaptiveAvgPool2d(1),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch_on_odd_sizes(string key)
    {
        var f = Fixture.Load("conv_pool");
        var layer = Layer(key);
        var x = f["x"];
        x.RequiresGrad = true;
        var y = layer.Forward(x);
        Assert.Equal(f[key + "_y"].Shape, y.Shape);
        Assert.Equal(y.Shape, layer.OutputShape(x.Shape));
        Fixture.AssertClose(f[key + "_y"].Span, y.Span, 1e-5f, 1e-6f, key + " y");
        ConvTestLoss.WeightedSum(y, f[key + "_gy"]).Backward();
        Fixture.AssertClose(f[key + "_dx"].Span, x.Grad!.Span, 1e-5f, 1e-6f, key + " dx");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_finite_differences(string key)
    {
        var rng = new Rng(11);
        var layer = Layer(key);
        // Spread-out values keep every max window's winner clear of the finite-difference step.
        var x = new Tensor(new Shape(2, 2, 5, 5));
        for (int i = 0; i < x.Size; i++) x[i] = i * 0.37f % 7f;
        rng.Shuffle(x.Span);
        x.RequiresGrad = true;
        var g = Conv2dTests.Random(rng, layer.OutputShape(x.Shape).ToArray());
        GradCheck.Check(() => ConvTestLoss.WeightedSum(layer.Forward(x), g), [x], eps: 1e-2f);
    }

    [Fact]
    public void Floor_mode_and_clear_errors()
    {
        Assert.Equal(new Shape(4, 3, 3, 3), new MaxPool2d(2).OutputShape(new Shape(4, 3, 7, 7)));
        Assert.Equal(new Shape(4, 3, 1, 1), new AdaptiveAvgPool2d(1).OutputShape(new Shape(4, 3, 7, 5)));
        Assert.Throws<NotSupportedException>(() => new AdaptiveAvgPool2d(2));
        Assert.Throws<ArgumentException>(() => new MaxPool2d(2).OutputShape(new Shape(4, 49)));
        Assert.Throws<ArgumentException>(() => new MaxPool2d(2, padding: 2));
    }
}
