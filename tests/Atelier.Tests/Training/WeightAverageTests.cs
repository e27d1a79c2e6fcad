using Atelier.Models;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training;

namespace Atelier.Tests.Training;

/// <summary>The weight average against the formula computed by hand in double precision: warm-up, decay, buffers copied.</summary>
public sealed class WeightAverageTests
{
    [Fact]
    public void Each_update_is_the_warmed_up_exponential_average_of_the_weights_and_copies_the_buffers()
    {
        var model = ModelZoo.Create("mlp-bn", new ModelOptions(), new Rng(1));
        var average = new WeightAverage(model, ModelZoo.Create("mlp-bn", new ModelOptions(), new Rng(2)), decay: 0.9);
        var weight = (Linear)((Sequential)model)[1];
        var expected = weight.Weight.Span.ToArray().Select(v => (double)v).ToArray();
        Assert.Equal(weight.Weight.Span.ToArray(), Averaged(average).Weight.Span.ToArray());
        var rng = new Rng(3);
        // TensorFlow's warm-up: (1 + t)/(10 + t) until it reaches the decay, at t = 80 for 0.9.
        double[] decays = Enumerable.Range(0, 100).Select(t => Math.Min(0.9, (1.0 + t) / (10.0 + t))).ToArray();
        Assert.Equal((0.1, 0.5, 0.9), (decays[0], decays[8], decays[99]));
        foreach (double d in decays)
        {
            Assert.Equal(d, average.CurrentDecay, 12);
            var w = weight.Weight.Span;
            for (int i = 0; i < w.Length; i++) w[i] += rng.Normal() * 0.1f;
            var bn = (BatchNorm1d)((Sequential)model)[3];
            bn.RunningMean.Span[0] = rng.Normal();
            average.Update();
            for (int i = 0; i < expected.Length; i++) expected[i] = d * expected[i] + (1 - d) * w[i];
            Assert.Equal(bn.RunningMean.Span[0], ((BatchNorm1d)((Sequential)average.Average)[3]).RunningMean.Span[0]);
        }
        var actual = Averaged(average).Weight.Span.ToArray();
        for (int i = 0; i < actual.Length; i++) Assert.Equal(expected[i], actual[i], 4e-6);
        Assert.Equal(decays.Length, average.Updates);
    }

    [Fact]
    public void An_update_allocates_nothing()
    {
        var model = ModelZoo.Create("cnn", new ModelOptions(), new Rng(1));
        var average = new WeightAverage(model, ModelZoo.Create("cnn", new ModelOptions(), new Rng(1)), decay: 0.999);
        average.Update();
        Assert.Equal(0, Allocations.Fewest(() => { for (int i = 0; i < 10; i++) average.Update(); }));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_decay_outside_0_to_1_or_another_architecture_is_refused(double decay)
    {
        var model = ModelZoo.Create("mlp", new ModelOptions(), new Rng(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(model, ModelZoo.Create("mlp", new ModelOptions(), new Rng(1)), decay));
        Assert.Throws<ArgumentException>(() => new WeightAverage(model, ModelZoo.Create("mlp-bn", new ModelOptions(), new Rng(1)), 0.9));
    }

    private static Linear Averaged(WeightAverage average) => (Linear)((Sequential)average.Average)[1];
}
