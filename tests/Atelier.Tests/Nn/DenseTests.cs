using Atelier.Autograd;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class DenseTests
{
    private static Tensor Leaf(Tensor t)
    {
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Runs one op's backward from a chosen output gradient (what PyTorch gets from (y * g).sum().backward()).</summary>
    internal static void BackwardFrom(Tensor output, Tensor g, IBackward op)
    {
        g.Span.CopyTo(output.GradForWrite(out _));
        op.Backward();
        Tape.Clear();
    }

    private static Tensor RandomTensor(Rng rng, params int[] dims)
    {
        var t = new Tensor(Shape.Of(dims));
        for (int i = 0; i < t.Size; i++) t[i] = rng.Normal();
        return t;
    }

    [Fact]
    public void Linear_matches_pytorch()
    {
        var f = Fixture.Load("dense_linear");
        var linear = new Linear(7, 4);
        f["weight"].Span.CopyTo(linear.Weight.Span);
        f["bias"].Span.CopyTo(linear.Bias!.Span);
        var x = Leaf(f["x"]);
        var y = linear.Forward(x);
        Fixture.AssertClose(f["y"].Span, y.Span, what: "y");
        BackwardFrom(y, f["g"], linear);
        Fixture.AssertClose(f["dx"].Span, x.Grad!.Span, what: "dx");
        Fixture.AssertClose(f["dweight"].Span, linear.Weight.Grad!.Span, what: "dweight");
        Fixture.AssertClose(f["dbias"].Span, linear.Bias.Grad!.Span, what: "dbias");

        var noBias = new Linear(7, 3, bias: false);
        Assert.Null(noBias.Bias);
        f["nobias_weight"].Span.CopyTo(noBias.Weight.Span);
        var x2 = Leaf(f["x"]);
        var y2 = noBias.Forward(x2);
        Fixture.AssertClose(f["nobias_y"].Span, y2.Span, what: "y without bias");
        BackwardFrom(y2, f["nobias_g"], noBias);
        Fixture.AssertClose(f["nobias_dx"].Span, x2.Grad!.Span, what: "dx without bias");
        Fixture.AssertClose(f["nobias_dweight"].Span, noBias.Weight.Grad!.Span, what: "dweight without bias");
    }

    [Fact]
    public void Linear_passes_gradient_check()
    {
        var rng = new Rng(3);
        var linear = new Linear(5, 4);
        linear.ResetParameters(rng);
        var x = Leaf(RandomTensor(rng, 3, 5));
        var target = RandomTensor(rng, 3, 4);
        var mse = new MseLoss(Reduction.Sum);
        GradCheck.Check(() => mse.Forward(linear.Forward(x), target), [x, linear.Weight, linear.Bias!]);
    }

    [Fact]
    public void Chain_of_linear_relu_linear_and_cross_entropy_matches_pytorch()
    {
        var f = Fixture.Load("dense_chain");
        var model = new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 4));
        var state = new Dictionary<string, Tensor>();
        foreach (var name in new[] { "0.weight", "0.bias", "2.weight", "2.bias" }) state[name] = f[name];
        model.LoadStateDict(state);
        var x = Leaf(f["x"]);
        var targets = ToTargets(f["targets"]);
        var loss = new CrossEntropyLoss().Forward(model.Forward(x), targets);
        Fixture.AssertClose(f["loss"].Span, loss.Span, what: "loss");
        loss.Backward();
        Fixture.AssertClose(f["dx"].Span, x.Grad!.Span, what: "dx");
        foreach (var (name, p) in model.NamedParameters())
            Fixture.AssertClose(f["d" + name].Span, p.Grad!.Span, 1e-5f, 1e-6f, "d" + name);
    }

    [Fact]
    public void Parameter_gradients_accumulate_across_backward_calls_until_zero_grad()
    {
        var rng = new Rng(11);
        var model = new Sequential(new Linear(4, 6), new ReLU(), new Linear(6, 3));
        model.ResetAllParameters(rng);
        var x = RandomTensor(rng, 5, 4);
        int[] targets = [0, 1, 2, 1, 0];
        var ce = new CrossEntropyLoss();

        ce.Forward(model.Forward(x), targets).Backward();
        var once = new List<float[]>();
        foreach (var p in model.Parameters()) once.Add(p.Grad!.ToArray());
        ce.Forward(model.Forward(x), targets).Backward();
        int k = 0;
        foreach (var p in model.Parameters())
        {
            var twice = (float[])once[k++].Clone();
            for (int i = 0; i < twice.Length; i++) twice[i] *= 2;
            Fixture.AssertClose(twice, p.Grad!.Span, 1e-6f, 1e-7f, "accumulated gradient");
        }
        model.ZeroGrad();
        ce.Forward(model.Forward(x), targets).Backward();
        k = 0;
        foreach (var p in model.Parameters()) Fixture.AssertClose(once[k++], p.Grad!.Span, 1e-6f, 1e-7f, "gradient after ZeroGrad");
        Assert.False(x.HasGrad); // the images do not require a gradient, so none was computed
    }

    [Fact]
    public void Nothing_is_recorded_under_NoGrad()
    {
        var linear = new Linear(3, 2);
        var x = Leaf(Tensor.Zeros(4, 3));
        using (Tape.NoGrad())
        {
            var loss = new CrossEntropyLoss().Forward(new ReLU().Forward(linear.Forward(x)), [0, 1, 0, 1]);
            Assert.False(loss.RequiresGrad);
        }
        Assert.Equal(0, Tape.Count);
    }

    [Fact]
    public void Reset_parameters_uses_pytorch_bounds_and_the_given_seed()
    {
        var a = new Linear(50, 20);
        var b = new Linear(50, 20);
        a.ResetParameters(new Rng(9));
        b.ResetParameters(new Rng(9));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
        float bound = 1f / MathF.Sqrt(50);
        float max = 0;
        foreach (var v in a.Weight.Span) { Assert.InRange(v, -bound, bound); max = MathF.Max(max, MathF.Abs(v)); }
        foreach (var v in a.Bias.Span) Assert.InRange(v, -bound, bound);
        Assert.True(max > 0.9f * bound);
        b.ResetParameters(new Rng(10));
        Assert.NotEqual(a.Weight.ToArray(), b.Weight.ToArray());
    }

    [Fact]
    public void Linear_describes_itself_and_checks_its_input()
    {
        var linear = new Linear(784, 392);
        Assert.Equal("Linear(784 -> 392)", linear.Describe());
        Assert.Equal(["weight", "bias"], linear.StateDict().Select(e => e.Name));
        Assert.Equal(784L * 392 + 392, linear.ParameterCount());
        Assert.Equal(2L * 64 * 784 * 392, linear.Flops(new Shape(64, 784)));
        Assert.Equal(new Shape(64, 392), linear.OutputShape(new Shape(64, 784)));
        var error = Assert.Throws<ArgumentException>(() => linear.Forward(Tensor.Zeros(2, 1, 28, 28)));
        Assert.Contains("[N, 784]", error.Message);
        Assert.Equal(["weight"], new Linear(3, 2, bias: false).StateDict().Select(e => e.Name));
    }

    [Fact]
    public void Linear_reuses_its_output_buffer_across_batch_sizes()
    {
        var linear = new Linear(3, 2);
        var first = linear.Forward(Tensor.Zeros(8, 3));
        var buffer = first.Buffer;
        var second = linear.Forward(Tensor.Zeros(5, 3));
        Assert.Same(first, second);
        Assert.Same(buffer, second.Buffer);
        Assert.Equal(new Shape(5, 2), second.Shape);
        Tape.Clear();
    }

    [Fact]
    public void A_warm_training_step_allocates_nothing()
    {
        var rng = new Rng(12);
        var model = new Sequential(new Linear(20, 16), new ReLU(), new Dropout(0.2f), new Linear(16, 12), new GELU(),
            new LeakyReLU(), new Sigmoid(), new Tanh(), new ELU(), new Identity(), new Linear(12, 5));
        model.ResetAllParameters(rng);
        var x = RandomTensor(rng, 8, 20);
        int[] targets = [0, 1, 2, 3, 4, 0, 1, 2];
        var ce = new CrossEntropyLoss(labelSmoothing: 0.1f, classWeights: [1f, 2f, 1f, 0.5f, 1f]);
        void Step() => ce.Forward(model.Forward(x), targets).Backward();
        Step();
        Step();
        Assert.Equal(0, Allocations.Fewest(Step));
    }

    internal static int[] ToTargets(Tensor t)
    {
        var targets = new int[t.Size];
        for (int i = 0; i < targets.Length; i++) targets[i] = (int)t[i];
        return targets;
    }
}
