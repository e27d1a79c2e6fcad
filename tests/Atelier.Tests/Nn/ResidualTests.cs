using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class ResidualTests
{
    [Fact]
    public void Identity_shortcut_gradients_match_finite_differences()
    {
        var rng = new Rng(21);
        var block = new Residual(new Sequential(new Conv2d(2, 2, 3, padding: 1), new BatchNorm2d(2), new Conv2d(2, 2, 3, padding: 1)));
        block.ResetAllParameters(rng);
        var x = Conv2dTests.Random(rng, 2, 2, 4, 4);
        x.RequiresGrad = true;
        var g = Conv2dTests.Random(rng, 2, 2, 4, 4);
        var conv = (Conv2d)((Sequential)block.Body)[0];
        GradCheck.Check(() => ConvTestLoss.WeightedSum(block.Forward(x), g), [x, conv.Weight], eps: 3e-3f);
    }

    [Fact]
    public void Projection_shortcut_gradients_match_finite_differences()
    {
        var rng = new Rng(22);
        var projection = new Sequential(new Conv2d(2, 3, 1, stride: 2));
        var block = new Residual(new Sequential(new Conv2d(2, 3, 3, stride: 2, padding: 1)), projection);
        block.ResetAllParameters(rng);
        var x = Conv2dTests.Random(rng, 2, 2, 5, 5);
        x.RequiresGrad = true;
        var g = Conv2dTests.Random(rng, 2, 3, 3, 3);
        GradCheck.Check(() => ConvTestLoss.WeightedSum(block.Forward(x), g), [x, ((Conv2d)projection[0]).Weight]);
        Assert.Equal(new Shape(2, 3, 3, 3), block.OutputShape(x.Shape));
    }

    [Fact]
    public void Output_is_the_sum_and_the_input_gradient_is_the_sum_of_both_branches()
    {
        var body = new Conv2d(1, 1, 1, bias: false);
        body.Weight[0] = 3f;
        var block = new Residual(body);
        var x = Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2);
        x.RequiresGrad = true;
        var y = block.Forward(x);
        Assert.Equal([4f, 8f, 12f, 16f], y.ToArray());
        ConvTestLoss.WeightedSum(y, Tensor.FromArray([1f, 1f, 1f, 1f], 1, 1, 2, 2)).Backward();
        Assert.Equal([4f, 4f, 4f, 4f], x.Grad!.ToArray());
        Assert.Equal(10f, body.Weight.Grad![0]);
    }

    [Fact]
    public void State_dict_names_read_like_PyTorch()
    {
        var block = new Residual(new Sequential(new Conv2d(2, 4, 3, stride: 2, padding: 1), new BatchNorm2d(4)),
            new Sequential(new Conv2d(2, 4, 1, stride: 2, bias: false)));
        Assert.Equal(["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "body.1.running_mean",
            "body.1.running_var", "body.1.num_batches_tracked", "shortcut.0.weight"], block.StateDict().Select(e => e.Name).ToArray());
        Assert.Throws<InvalidOperationException>(() => new Residual(new Conv2d(2, 4, 3)).Forward(new Tensor(new Shape(1, 2, 5, 5))));
        Atelier.Autograd.Tape.Clear(); // the body's conv recorded before the throw: leave this thread's tape empty for the next test
    }
}
