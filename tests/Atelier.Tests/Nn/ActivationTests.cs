using Atelier.Autograd;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class ActivationTests
{
    private static Activation Create(string name) => name switch
    {
        "relu" => new ReLU(),
        "leaky_relu" => new LeakyReLU(),
        "leaky_relu_0.2" => new LeakyReLU(0.2f),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "gelu" => new GELU(),
        "elu" => new ELU(),
        "elu_0.5" => new ELU(0.5f),
        "softmax" or "softmax4" => new Softmax(),
        "log_softmax" or "log_softmax4" => new LogSoftmax(),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Names => new()
    {
        "relu", "leaky_relu", "leaky_relu_0.2", "sigmoid", "tanh", "gelu", "elu", "elu_0.5", "softmax", "log_softmax", "softmax4", "log_softmax4",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Activation_matches_pytorch(string name)
    {
        var f = Fixture.Load("dense_activations");
        bool image = name.EndsWith('4');
        var x = f[image ? "x4" : "x"];
        x.RequiresGrad = true;
        var layer = Create(name);
        var y = layer.Forward(x);
        Assert.Equal(x.Shape, y.Shape);
        Fixture.AssertClose(f["y_" + name].Span, y.Span, 1e-5f, 1e-6f, name);
        DenseTests.BackwardFrom(y, f[image ? "g4" : "g"], layer);
        Fixture.AssertClose(f["dx_" + name].Span, x.Grad!.Span, 1e-5f, 1e-6f, "d" + name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Activation_passes_gradient_check(string name)
    {
        var rng = new Rng(21);
        var x = name.EndsWith('4') ? new Tensor(new Shape(2, 3, 2, 2)) : new Tensor(new Shape(3, 7));
        var target = new Tensor(x.Shape);
        for (int i = 0; i < x.Size; i++)
        {
            float v = rng.Normal(0f, 1.5f);
            x[i] = MathF.Abs(v) < 0.1f ? v + MathF.CopySign(0.2f, v) : v; // away from the kinks at 0
            target[i] = rng.Normal();
        }
        x.RequiresGrad = true;
        var layer = Create(name);
        var mse = new MseLoss(Reduction.Sum);
        GradCheck.Check(() => mse.Forward(layer.Forward(x), target), [x], eps: 2e-3f);
    }

    [Fact]
    public void Elementwise_activations_take_any_rank()
    {
        var x = new Tensor(new Shape(2, 3, 4, 5));
        for (int i = 0; i < x.Size; i++) x[i] = i - 60;
        var y = new ReLU().Forward(x);
        Assert.Equal(x.Shape, y.Shape);
        Assert.Equal(0f, y[0]);
        Assert.Equal(59f, y[119]);
        Assert.Equal(new Shape(7), new Tanh().Forward(Tensor.Zeros(7)).Shape);
    }

    [Fact]
    public void Softmax_rejects_a_dimension_out_of_range()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Softmax(2).Forward(Tensor.Zeros(3, 4)));
        Assert.Contains("dimension 2", error.Message);
        Assert.Equal(new Shape(3, 4), new LogSoftmax(-1).Forward(Tensor.Zeros(3, 4)).Shape);
    }

    [Fact]
    public void Descriptions_read_like_pytorch()
    {
        Assert.Equal("ReLU", new ReLU().Describe());
        Assert.Equal("LeakyReLU(0.01)", new LeakyReLU().Describe());
        Assert.Equal("ELU(alpha=1)", new ELU().Describe());
        Assert.Equal("Softmax(dim=1)", new Softmax().Describe());
        Assert.Equal("Dropout(p=0.2)", new Dropout(0.2f).Describe());
        Assert.Equal("Identity", new Identity().Describe());
    }

    [Fact]
    public void Identity_passes_the_tensor_and_its_gradient_through()
    {
        var x = Tensor.FromArray([1f, -2f, 3f, 0.5f], 2, 2);
        x.RequiresGrad = true;
        var y = new Identity().Forward(x);
        Assert.Same(x, y);
        new MseLoss(Reduction.Sum).Forward(y, Tensor.Zeros(2, 2)).Backward();
        Assert.Equal([2f, -4f, 6f, 1f], x.Grad!.ToArray());
    }

    [Fact]
    public void Eval_dropout_is_identity_and_matches_pytorch()
    {
        var f = Fixture.Load("dense_activations");
        var x = f["x"];
        x.RequiresGrad = true;
        var dropout = new Dropout(0.3f);
        dropout.Eval();
        var y = dropout.Forward(x);
        Assert.Same(x, y);
        Assert.Equal(0, Tape.Count);
        Fixture.AssertClose(f["y_dropout_eval"].Span, y.Span, what: "eval dropout");
        // Gradients still reach the input: the next op sends them straight to it.
        new MseLoss(Reduction.Sum).Forward(y, Tensor.Zeros(4, 13)).Backward();
        for (int i = 0; i < x.Size; i++) Assert.Equal(2 * x[i], x.Grad![i]);
    }

    [Fact]
    public void Zero_probability_dropout_is_identity_in_training()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3);
        Assert.Same(x, new Dropout(0f).Forward(x));
    }

    [Fact]
    public void Training_dropout_keeps_one_minus_p_scales_and_sends_the_gradient_through_the_mask()
    {
        const int n = 20000;
        var x = new Tensor(new Shape(100, n / 100));
        for (int i = 0; i < n; i++) x[i] = 1f + (i % 7);
        x.RequiresGrad = true;
        var dropout = new Dropout(0.25f) { Generator = new Rng(77) };
        var y = dropout.Forward(x);
        int kept = 0;
        for (int i = 0; i < n; i++)
            if (y[i] != 0) { kept++; Assert.Equal(x[i] / 0.75f, y[i], 1e-5f); }
        Assert.InRange(kept / (double)n, 0.74, 0.76);

        var g = new Tensor(x.Shape);
        for (int i = 0; i < n; i++) g[i] = 0.5f + i % 3;
        DenseTests.BackwardFrom(y, g, dropout);
        for (int i = 0; i < n; i++) Assert.Equal(y[i] == 0 ? 0f : g[i] / 0.75f, x.Grad![i], 1e-5f);
    }

    [Fact]
    public void Dropout_masks_repeat_with_the_seed_and_change_between_calls()
    {
        var x = new Tensor(new Shape(4, 33));
        x.Span.Fill(1f);
        var a = new Dropout(0.5f) { Generator = new Rng(5) };
        var b = new Dropout(0.5f) { Generator = new Rng(5) };
        var first = a.Forward(x).ToArray();
        Assert.Equal(first, b.Forward(x).ToArray());
        Assert.NotEqual(first, a.Forward(x).ToArray());
        Assert.NotEqual(first, new Dropout(0.5f) { Generator = new Rng(6) }.Forward(x).ToArray());
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Dropout_rejects_a_probability_outside_zero_to_one(float p)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p));
        Assert.Contains("[0, 1)", error.Message);
    }
}
