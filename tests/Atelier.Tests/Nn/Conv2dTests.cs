using Atelier.Autograd;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class Conv2dTests
{
    [Theory]
    [InlineData("conv_pad10")]
    [InlineData("conv_stride2")]
    [InlineData("conv_nobias")]
    [InlineData("conv_pointwise")]
    public void Matches_PyTorch_outputs_and_gradients(string name)
    {
        var f = Fixture.Load(name);
        var meta = f.Meta;
        int Pair(string key, int i) => meta.GetProperty(key)[i].GetInt32();
        bool hasBias = meta.GetProperty("bias").GetBoolean();
        var conv = new Conv2d(meta.GetProperty("in").GetInt32(), meta.GetProperty("out").GetInt32(),
            (Pair("kernel", 0), Pair("kernel", 1)), (Pair("stride", 0), Pair("stride", 1)), (Pair("padding", 0), Pair("padding", 1)), hasBias);
        f["weight"].Span.CopyTo(conv.Weight.Span);
        if (hasBias) f["bias"].Span.CopyTo(conv.Bias!.Span);
        var x = f["x"];
        x.RequiresGrad = true;

        var y = conv.Forward(x);
        Assert.Equal(f["y"].Shape, y.Shape);
        Assert.Equal(y.Shape, conv.OutputShape(x.Shape));
        Fixture.AssertClose(f["y"].Span, y.Span, 1e-5f, 1e-5f, "y");
        ConvTestLoss.WeightedSum(y, f["gy"]).Backward();
        Fixture.AssertClose(f["dx"].Span, x.Grad!.Span, 1e-5f, 1e-5f, "dx");
        Fixture.AssertClose(f["dweight"].Span, conv.Weight.Grad!.Span, 1e-5f, 1e-5f, "dweight");
        if (hasBias) Fixture.AssertClose(f["dbias"].Span, conv.Bias!.Grad!.Span, 1e-5f, 1e-5f, "dbias");
    }

    [Fact]
    public void Padding_per_dimension_gives_PyTorch_output_size()
    {
        var conv = new Conv2d(1, 8, 3, padding: (1, 0));
        Assert.Equal(new Shape(5, 8, 28, 26), conv.OutputShape(new Shape(5, 1, 28, 28)));
        Assert.Equal(2L * 5 * 8 * 28 * 26 * 9, conv.Flops(new Shape(5, 1, 28, 28)));
        Assert.Equal(new Shape(2, 4, 14, 14), new Conv2d(3, 4, 3, stride: 2, padding: 1).OutputShape(new Shape(2, 3, 28, 28)));
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var rng = new Rng(7);
        var conv = new Conv2d(2, 3, (3, 2), stride: (2, 1), padding: (1, 0));
        conv.ResetAllParameters(rng);
        var x = Random(rng, 2, 2, 6, 5);
        x.RequiresGrad = true;
        var g = Random(rng, conv.OutputShape(x.Shape).ToArray());
        GradCheck.Check(() => ConvTestLoss.WeightedSum(conv.Forward(x), g), [x, conv.Weight, conv.Bias!]);
    }

    [Fact]
    public void Image_input_gets_no_gradient_and_parameter_gradients_accumulate()
    {
        var rng = new Rng(3);
        var conv = new Conv2d(1, 2, 3, padding: 1);
        conv.ResetAllParameters(rng);
        var x = Random(rng, 2, 1, 5, 5);
        var g = Random(rng, 2, 2, 5, 5);
        ConvTestLoss.WeightedSum(conv.Forward(x), g).Backward();
        Assert.False(x.HasGrad);
        var once = conv.Weight.Grad!.ToArray();
        ConvTestLoss.WeightedSum(conv.Forward(x), g).Backward();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], conv.Weight.Grad!.Span[i], 5);
    }

    [Fact]
    public void Init_and_state_dict_follow_PyTorch()
    {
        var conv = new Conv2d(4, 6, 3);
        conv.ResetAllParameters(new Rng(1));
        float bound = 1f / MathF.Sqrt(36);
        foreach (var v in conv.Weight.Span) Assert.InRange(v, -bound, bound);
        foreach (var v in conv.Bias!.Span) Assert.InRange(v, -bound, bound);
        var names = conv.StateDict().Select(e => e.Name).ToArray();
        Assert.Equal(["weight", "bias"], names);
        Assert.Equal(new Shape(6, 4, 3, 3), conv.Weight.Shape);
        Assert.Equal(["weight"], new Conv2d(1, 2, 3, bias: false).StateDict().Select(e => e.Name).ToArray());
        Assert.Throws<ArgumentException>(() => conv.OutputShape(new Shape(1, 3, 8, 8)));
    }

    [Fact]
    public void A_warm_training_step_of_a_conv_network_allocates_nothing()
    {
        var rng = new Rng(8);
        var block = new Residual(new Sequential(new Conv2d(4, 4, 3, padding: 1), new BatchNorm2d(4)), new Conv2d(4, 4, 1));
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1), new BatchNorm2d(4), new MaxPool2d(2), block,
            new AvgPool2d(2, stride: 1), new AdaptiveAvgPool2d(), new Flatten(), new BatchNorm1d(4));
        model.ResetAllParameters(rng);
        var x = Random(rng, 16, 1, 12, 12);
        var loss = new ConvTestLoss(Random(rng, 16, 4));
        for (int step = 0; step < 3; step++) loss.Apply(model.Forward(x)).Backward();
        // Parameter gradients simply accumulate here (ZeroGrad's parameter enumeration is not part of the layers).
        Assert.Equal(0, Allocations.Fewest(() => { for (int step = 0; step < 3; step++) loss.Apply(model.Forward(x)).Backward(); }));
    }

    internal static Tensor Random(Rng rng, params int[] dims)
    {
        var t = new Tensor(Shape.Of(dims));
        for (int i = 0; i < t.Size; i++) t[i] = rng.Normal();
        return t;
    }
}

/// <summary>loss = Σ y·g, so backward hands exactly g to y: the tests' stand-in for a real loss (reusable: no allocation once warm).</summary>
internal sealed class ConvTestLoss : IBackward
{
    private readonly Tensor g, loss = new(new Shape(1));
    private Tensor? y;
    private float[] scaled = [];

    public ConvTestLoss(Tensor g) => this.g = g;

    public static Tensor WeightedSum(Tensor y, Tensor g) => new ConvTestLoss(g).Apply(y);

    public Tensor Apply(Tensor y)
    {
        if (y.Size != g.Size) throw new ArgumentException($"Loss weights {g.Shape} do not match the output {y.Shape}.");
        this.y = y;
        double sum = 0;
        for (int i = 0; i < y.Size; i++) sum += (double)y[i] * g[i];
        loss.HasGrad = false;
        loss[0] = (float)sum;
        Tape.Record(this, loss, y.RequiresGrad);
        return loss;
    }

    public void Backward()
    {
        if (!loss.HasGrad || !y!.RequiresGrad) return;
        if (scaled.Length != g.Size) scaled = new float[g.Size];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = g[i] * loss.Grad![0];
        y.AccumulateGrad(scaled);
    }
}
