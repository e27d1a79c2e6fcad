using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class BatchNormTests
{
    private static BatchNorm Create(string name, int channels) => name == "conv_bn2d" ? new BatchNorm2d(channels) : new BatchNorm1d(channels);

    // Gradients too hold at 1e-5 relative (atol 1e-5 for values near zero, where the two batch-mean subtractions cancel).
    [Theory]
    [InlineData("conv_bn1d")]
    [InlineData("conv_bn1d_seq")]
    [InlineData("conv_bn2d")]
    public void Matches_PyTorch_in_train_and_eval_mode(string name)
    {
        var f = Fixture.Load(name);
        var w = f["weight"];
        var bn = Create(name, w.Size);
        w.Span.CopyTo(bn.Weight.Span);
        f["bias"].Span.CopyTo(bn.Bias.Span);
        for (int step = 1; step <= 2; step++)
        {
            bn.ZeroGrad();
            var x = f[$"x{step}"];
            x.RequiresGrad = true;
            var y = bn.Forward(x);
            Fixture.AssertClose(f[$"y{step}"].Span, y.Span, 1e-5f, 1e-5f, $"y{step}");
            ConvTestLoss.WeightedSum(y, f[$"step{step}_gy"]).Backward();
            Fixture.AssertClose(f[$"dx{step}"].Span, x.Grad!.Span, 1e-5f, 1e-5f, $"dx{step}");
            Fixture.AssertClose(f[$"dweight{step}"].Span, bn.Weight.Grad!.Span, 1e-5f, 1e-5f, $"dweight{step}");
            Fixture.AssertClose(f[$"dbias{step}"].Span, bn.Bias.Grad!.Span, 1e-5f, 1e-5f, $"dbias{step}");
        }
        Fixture.AssertClose(f["running_mean"].Span, bn.RunningMean.Span, 1e-5f, 1e-6f, "running_mean");
        Fixture.AssertClose(f["running_var"].Span, bn.RunningVar.Span, 1e-5f, 1e-6f, "running_var");
        Assert.Equal(2f, bn.NumBatchesTracked.Item());

        bn.Eval();
        bn.ZeroGrad();
        var xe = f["x_eval"];
        xe.RequiresGrad = true;
        var ye = bn.Forward(xe);
        Fixture.AssertClose(f["y_eval"].Span, ye.Span, 1e-5f, 1e-5f, "y_eval");
        ConvTestLoss.WeightedSum(ye, f["eval_gy"]).Backward();
        Fixture.AssertClose(f["dx_eval"].Span, xe.Grad!.Span, 1e-5f, 1e-5f, "dx_eval");
        Fixture.AssertClose(f["dweight_eval"].Span, bn.Weight.Grad!.Span, 1e-5f, 1e-5f, "dweight_eval");
        Fixture.AssertClose(f["dbias_eval"].Span, bn.Bias.Grad!.Span, 1e-5f, 1e-5f, "dbias_eval");
        Assert.Equal(2f, bn.NumBatchesTracked.Item());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Train_mode_gradients_match_finite_differences(int rank)
    {
        var rng = new Rng(5);
        var shape = rank switch { 2 => new Shape(6, 4), 3 => new Shape(3, 4, 5), _ => new Shape(2, 4, 3, 3) };
        BatchNorm bn = rank == 4 ? new BatchNorm2d(4) : new BatchNorm1d(4);
        for (int c = 0; c < 4; c++) { bn.Weight[c] = 0.5f + rng.NextFloat(); bn.Bias[c] = rng.Normal(); }
        var x = Conv2dTests.Random(rng, shape.ToArray());
        x.RequiresGrad = true;
        var g = Conv2dTests.Random(rng, shape.ToArray());
        // The loss is not linear in x through the batch statistics, so take a smaller step than the default.
        GradCheck.Check(() => ConvTestLoss.WeightedSum(bn.Forward(x), g), [x, bn.Weight, bn.Bias], eps: 3e-3f);
    }

    // Sequential runs BatchNorm + ReLU fused; it must give what the two layers give one after the other.
    [Theory]
    [InlineData(2, true)]
    [InlineData(4, true)]
    [InlineData(4, false)]
    public void Fused_ReLU_gives_the_values_and_gradients_of_the_two_layers(int rank, bool training)
    {
        var rng = new Rng(9);
        var shape = rank == 2 ? new Shape(40, 24) : new Shape(8, 24, 12, 12);
        var x = Conv2dTests.Random(rng, shape.ToArray());
        var g = Conv2dTests.Random(rng, shape.ToArray());
        BatchNorm Norm()
        {
            BatchNorm bn = rank == 4 ? new BatchNorm2d(24) : new BatchNorm1d(24);
            var r = new Rng(3);
            for (int c = 0; c < 24; c++) { bn.Weight[c] = 0.5f + r.NextFloat(); bn.Bias[c] = 0.5f * r.Normal(); bn.RunningMean[c] = 0.1f * r.Normal(); }
            if (!training) bn.Eval();
            return bn;
        }
        (float[] Y, float[] Dx, float[] Dw, float[] Db) Run(Func<BatchNorm, Tensor, Tensor> forward)
        {
            var bn = Norm();
            var input = x.Clone();
            input.RequiresGrad = true;
            var y = forward(bn, input);
            var values = y.ToArray();
            ConvTestLoss.WeightedSum(y, g).Backward();
            return (values, input.Grad!.ToArray(), bn.Weight.Grad!.ToArray(), bn.Bias.Grad!.ToArray());
        }

        var separate = Run((bn, input) => new ReLU().Forward(bn.Forward(input)));
        var fused = Run((bn, input) => new Sequential(bn, new ReLU()).Forward(input));
        Assert.Contains(0f, fused.Y);
        Assert.Equal(separate.Y, fused.Y);
        // Backward sums the masked gradient in its own order: equal up to float rounding.
        Fixture.AssertClose(separate.Dx, fused.Dx, 1e-5f, 1e-6f, "dx");
        Fixture.AssertClose(separate.Dw, fused.Dw, 1e-5f, 1e-5f, "dweight");
        Fixture.AssertClose(separate.Db, fused.Db, 1e-5f, 1e-5f, "dbias");
    }

    [Fact]
    public void State_dict_reads_like_PyTorch()
    {
        var model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2));
        var state = model.StateDict();
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"],
            state.Select(e => e.Name).ToArray());
        Assert.True(state[^1].IsInt64);
        Assert.Equal(Shape.Scalar, state[^1].Tensor.Shape);
        var bn = (BatchNorm2d)model[1];
        Assert.Equal([1f, 1f], bn.Weight.ToArray());
        Assert.Equal([1f, 1f], bn.RunningVar.ToArray());
        Assert.Equal("BatchNorm2d(2)", bn.Describe());
    }

    [Fact]
    public void Clear_errors_for_bad_input()
    {
        Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(new Tensor(new Shape(2, 3))));
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(new Tensor(new Shape(2, 4))));
        Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(new Tensor(new Shape(1, 3))));
        var eval = new BatchNorm1d(3);
        eval.Eval();
        Assert.Equal(new Shape(1, 3), eval.Forward(new Tensor(new Shape(1, 3))).Shape);
        Atelier.Autograd.Tape.Clear(); // the forward recorded (trainable parameters): leave this thread's tape empty for the next test
    }
}
