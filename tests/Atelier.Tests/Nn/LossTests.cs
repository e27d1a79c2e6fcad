using Atelier.Autograd;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class LossTests
{
    public static TheoryData<string, Reduction, float, bool> CrossEntropyConfigs => new()
    {
        { "ce_mean", Reduction.Mean, 0f, false },
        { "ce_sum", Reduction.Sum, 0f, false },
        { "ce_ls", Reduction.Mean, 0.1f, false },
        { "ce_ls_sum", Reduction.Sum, 0.1f, false },
        { "ce_w", Reduction.Mean, 0f, true },
        { "ce_w_sum", Reduction.Sum, 0f, true },
        { "ce_w_ls", Reduction.Mean, 0.2f, true },
        { "ce_w_ls_sum", Reduction.Sum, 0.2f, true },
    };

    [Theory]
    [MemberData(nameof(CrossEntropyConfigs))]
    public void Cross_entropy_matches_pytorch(string name, Reduction reduction, float labelSmoothing, bool weighted)
    {
        var f = Fixture.Load("dense_losses");
        var logits = f["logits"];
        logits.RequiresGrad = true;
        var ce = new CrossEntropyLoss(reduction, labelSmoothing, weighted ? f["weights"].ToArray() : null);
        var loss = ce.Forward(logits, DenseTests.ToTargets(f["targets"]));
        Assert.Equal(Shape.Scalar, loss.Shape);
        Fixture.AssertClose(f["loss_" + name].Span, loss.Span, 1e-5f, 1e-6f, name);
        loss.Backward();
        Fixture.AssertClose(f["dx_" + name].Span, logits.Grad!.Span, 1e-5f, 1e-6f, "d" + name);
    }

    [Theory]
    [InlineData("mean", Reduction.Mean, 0f)]
    [InlineData("sum", Reduction.Sum, 0f)]
    [InlineData("ls", Reduction.Mean, 0.1f)]
    [InlineData("ls_sum", Reduction.Sum, 0.1f)]
    public void Mixed_cross_entropy_matches_pytorch_against_soft_targets(string name, Reduction reduction, float labelSmoothing)
    {
        var f = Fixture.Load("dense_mixed_losses");
        var logits = f["logits"];
        logits.RequiresGrad = true;
        var loss = new CrossEntropyLoss(reduction, labelSmoothing)
            .Forward(logits, DenseTests.ToTargets(f["targets"]), DenseTests.ToTargets(f["partners"]), f["lambda"][0]);
        Fixture.AssertClose(f["loss_" + name].Span, loss.Span, 1e-5f, 1e-6f, name);
        loss.Backward();
        Fixture.AssertClose(f["dx_" + name].Span, logits.Grad!.Span, 1e-5f, 1e-6f, "d" + name);
    }

    [Theory]
    [InlineData(Reduction.Mean, 0.1f, false)]
    [InlineData(Reduction.Mean, 0.2f, true)]
    [InlineData(Reduction.Sum, 0f, true)]
    public void Mixed_cross_entropy_passes_gradient_check(Reduction reduction, float labelSmoothing, bool weighted)
    {
        var logits = RandomLeaf(new Rng(8), 5, 6);
        var ce = new CrossEntropyLoss(reduction, labelSmoothing, weighted ? [0.5f, 1f, 2f, 0.1f, 1.5f, 1f] : null);
        GradCheck.Check(() => ce.Forward(logits, [5, 0, 2, 2, 3], [3, 2, 2, 0, 5], 0.7f), [logits], eps: 2e-3f);
    }

    [Fact]
    public void Mixed_cross_entropy_at_lambda_one_is_the_plain_loss_and_a_bad_lambda_is_refused()
    {
        var f = Fixture.Load("dense_losses");
        var logits = f["logits"];
        logits.RequiresGrad = true;
        var targets = DenseTests.ToTargets(f["targets"]);
        var loss = new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(logits, targets, [.. targets.Reverse()], 1f);
        Assert.Equal(f["loss_ce_ls"][0], loss.Item(), 1e-6f);
        loss.Backward();
        Fixture.AssertClose(f["dx_ce_ls"].Span, logits.Grad!.Span, 1e-5f, 1e-6f, "dx");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(logits, targets, targets, 1.5f));
        Assert.Contains("mixing weight must be in [0, 1]", error.Message);
    }

    [Theory]
    [InlineData("nll_mean", Reduction.Mean, false)]
    [InlineData("nll_sum", Reduction.Sum, false)]
    [InlineData("nll_w", Reduction.Mean, true)]
    [InlineData("nll_w_sum", Reduction.Sum, true)]
    public void Nll_matches_pytorch(string name, Reduction reduction, bool weighted)
    {
        var f = Fixture.Load("dense_losses");
        var logp = f["logp"];
        logp.RequiresGrad = true;
        var loss = new NllLoss(reduction, weighted ? f["weights"].ToArray() : null).Forward(logp, DenseTests.ToTargets(f["targets"]));
        Fixture.AssertClose(f["loss_" + name].Span, loss.Span, 1e-5f, 1e-6f, name);
        loss.Backward();
        Fixture.AssertClose(f["dx_" + name].Span, logp.Grad!.Span, 1e-5f, 1e-6f, "d" + name);
    }

    [Fact]
    public void Log_softmax_then_nll_equals_cross_entropy()
    {
        var f = Fixture.Load("dense_losses");
        var logits = f["logits"];
        logits.RequiresGrad = true;
        var loss = new NllLoss().Forward(new LogSoftmax().Forward(logits), DenseTests.ToTargets(f["targets"]));
        Fixture.AssertClose(f["loss_ce_mean"].Span, loss.Span, 1e-5f, 1e-6f, "loss");
        loss.Backward();
        Fixture.AssertClose(f["dx_ce_mean"].Span, logits.Grad!.Span, 1e-5f, 1e-6f, "dlogits");
    }

    [Theory]
    [InlineData("mse_mean", Reduction.Mean)]
    [InlineData("mse_sum", Reduction.Sum)]
    public void Mse_matches_pytorch_for_input_and_target(string name, Reduction reduction)
    {
        var f = Fixture.Load("dense_losses");
        var input = f["mse_input"];
        var target = f["mse_target"];
        input.RequiresGrad = target.RequiresGrad = true;
        var loss = new MseLoss(reduction).Forward(input, target);
        Fixture.AssertClose(f["loss_" + name].Span, loss.Span, 1e-5f, 1e-6f, name);
        loss.Backward();
        Fixture.AssertClose(f["dx_" + name].Span, input.Grad!.Span, 1e-5f, 1e-6f, "dinput");
        Fixture.AssertClose(f["dt_" + name].Span, target.Grad!.Span, 1e-5f, 1e-6f, "dtarget");
    }

    private static Tensor RandomLeaf(Rng rng, int rows, int columns)
    {
        var t = new Tensor(new Shape(rows, columns)) { RequiresGrad = true };
        for (int i = 0; i < t.Size; i++) t[i] = rng.Normal(0f, 2f);
        return t;
    }

    [Theory]
    [InlineData(Reduction.Mean, 0f, false)]
    [InlineData(Reduction.Sum, 0.3f, false)]
    [InlineData(Reduction.Mean, 0.15f, true)]
    public void Cross_entropy_passes_gradient_check(Reduction reduction, float labelSmoothing, bool weighted)
    {
        var rng = new Rng(4);
        var logits = RandomLeaf(rng, 5, 6);
        var ce = new CrossEntropyLoss(reduction, labelSmoothing, weighted ? [0.5f, 1f, 2f, 0.1f, 1.5f, 1f] : null);
        GradCheck.Check(() => ce.Forward(logits, [5, 0, 2, 2, 3]), [logits], eps: 2e-3f);
    }

    [Fact]
    public void Nll_and_mse_pass_gradient_check()
    {
        var rng = new Rng(8);
        var logp = RandomLeaf(rng, 4, 3);
        var nll = new NllLoss(Reduction.Mean, [1f, 3f, 0.5f]);
        GradCheck.Check(() => nll.Forward(logp, [2, 1, 1, 0]), [logp]);
        var input = RandomLeaf(rng, 3, 5);
        var target = RandomLeaf(rng, 3, 5);
        var mse = new MseLoss();
        GradCheck.Check(() => mse.Forward(input, target), [input, target]);
    }

    [Fact]
    public void Only_the_first_n_targets_are_used()
    {
        var logits = Tensor.FromArray([1f, 2f, 0.5f, -1f, 3f, 0f], 2, 3);
        float exact = new CrossEntropyLoss().Forward(logits, [1, 0]).Item();
        Assert.Equal(exact, new CrossEntropyLoss().Forward(logits, [1, 0, 2, 2, 2]).Item());
    }

    [Fact]
    public void Losses_record_nothing_under_NoGrad()
    {
        var logits = Tensor.FromArray([1f, 2f, 0.5f, -1f], 2, 2);
        logits.RequiresGrad = true;
        using (Tape.NoGrad())
        {
            Assert.False(new CrossEntropyLoss().Forward(logits, [1, 0]).RequiresGrad);
            Assert.False(new NllLoss().Forward(logits, [1, 0]).RequiresGrad);
            Assert.False(new MseLoss().Forward(logits, Tensor.Zeros(2, 2)).RequiresGrad);
        }
        Assert.Equal(0, Tape.Count);
    }

    [Fact]
    public void Bad_arguments_fail_with_a_clear_sentence()
    {
        var logits = Tensor.Zeros(3, 4);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(logits, [0, 7, 1]));
        Assert.Contains("target 7 (sample 1)", outOfRange.Message);
        Assert.Contains("4 classes", outOfRange.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NllLoss().Forward(logits, [0, -1, 1]));
        Assert.Contains("2 targets for a batch of 3", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(logits, [0, 1])).Message);
        Assert.Contains("[N, C]", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(12), [0])).Message);
        Assert.Contains("3 class weights", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(classWeights: [1f, 1f, 1f]).Forward(logits, [0, 1, 2])).Message);
        Assert.Contains("same shape", Assert.Throws<ArgumentException>(() => new MseLoss().Forward(logits, Tensor.Zeros(4, 3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(labelSmoothing: 1.5f));
    }

    [Fact]
    public void Cross_entropy_stays_finite_for_huge_logits()
    {
        var logits = Tensor.FromArray([1000f, -1000f, 0f, 0f, 500f, -500f], 2, 3);
        logits.RequiresGrad = true;
        var loss = new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(logits, [0, 2]);
        Assert.True(float.IsFinite(loss.Item()));
        loss.Backward();
        Assert.All(logits.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
