using Atelier.Autograd;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests;

public sealed class TapeTests
{
    [Fact]
    public void Flatten_is_a_view_and_hands_the_gradient_back()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 1, 2, 2);
        x.RequiresGrad = true;
        var flat = new Flatten().Forward(x);
        Assert.Equal(new Shape(2, 4), flat.Shape);
        Assert.Equal(x.ToArray(), flat.ToArray());
        Assert.Equal(1, Tape.Count);
        Tape.Clear();
    }

    [Fact]
    public void Nothing_is_recorded_under_NoGrad()
    {
        var x = Tensor.Zeros(1, 1, 2, 2);
        x.RequiresGrad = true;
        using (Tape.NoGrad())
        {
            var y = new Flatten().Forward(x);
            Assert.False(y.RequiresGrad);
        }
        Assert.Equal(0, Tape.Count);
    }

    [Fact]
    public void The_observer_sees_each_op_of_a_residual_model_once_its_output_is_ready_in_forward_order()
    {
        // What the profiler relies on: one call per op (nested ones included, the add after its branches), recording or not.
        var conv = new Conv2d(2, 2, 3, padding: 1);
        var norm = new BatchNorm2d(2);
        var model = new Sequential(new Residual(new Sequential(conv, norm, new ReLU())), new Flatten());
        var x = Tensor.Zeros(2, 2, 4, 4);
        x.RequiresGrad = true;
        var seen = new List<(IBackward Op, Shape Shape, bool FusedReLU)>();
        Tape.Observer = (op, output) => seen.Add((op, output.Shape, norm.LastForwardFusedReLU));
        try
        {
            model.Forward(x);
            Assert.Equal(seen.Select(s => s.Op), Tape.Recorded);
            Tape.Clear();
            using (Tape.NoGrad()) model.Forward(x);
        }
        finally
        {
            Tape.Observer = null;
        }
        var residual = (Residual)model[0];
        var ops = new IBackward[] { conv, norm, residual, (Flatten)model[1] };
        Assert.Equal([.. ops, .. ops], seen.Select(s => s.Op)); // BatchNorm + ReLU ran fused: one op
        Assert.Equal(new Shape(2, 32), seen[3].Shape);
        Assert.True(seen[1].FusedReLU);
    }

    [Fact]
    public void Rng_is_deterministic_per_seed()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }
}
