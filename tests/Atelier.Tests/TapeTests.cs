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
    public void Rng_is_deterministic_per_seed()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }
}
