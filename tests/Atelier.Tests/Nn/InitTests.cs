using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class InitTests
{
    /// <summary>A stand-in for Linear / Conv2d / BatchNorm2d: a "weight" of the given shape and a "bias".</summary>
    private sealed class FakeLayer(params int[] weightShape) : Module
    {
        public Tensor Weight { get; } = new(Shape.Of(weightShape)) { RequiresGrad = true };
        public Tensor Bias { get; } = new(new Shape(weightShape[0])) { RequiresGrad = true };
        public int Resets { get; private set; }

        public override Tensor Forward(Tensor input) => input;
        public override Shape OutputShape(Shape input) => input;
        protected override IEnumerable<(string Name, Tensor Tensor)> LocalParameters() => [("weight", Weight), ("bias", Bias)];
        public override void ResetParameters(Rng rng) { Resets++; Weight.Span.Fill(7f); }
    }

    private sealed class Net
    {
        public FakeLayer Conv = new(64, 32, 3, 3);   // fan_in 288, fan_out 576
        public FakeLayer Norm = new(64);              // batch-norm-like rank-1 weight
        public FakeLayer Linear = new(200, 400);      // fan_in 400, fan_out 200
        public Sequential Model;

        public Net()
        {
            Model = new Sequential(Conv, Norm, new Sequential(Linear));
            foreach (var layer in new[] { Conv, Norm, Linear }) { layer.Weight.Span.Fill(3f); layer.Bias.Span.Fill(5f); }
        }
    }

    private static (double Mean, double Std, double MaxAbs) Stats(Tensor t)
    {
        double sum = 0, sq = 0, max = 0;
        foreach (float v in t.Span) { sum += v; sq += (double)v * v; max = Math.Max(max, Math.Abs(v)); }
        double mean = sum / t.Size;
        return (mean, Math.Sqrt(sq / t.Size - mean * mean), max);
    }

    private static void AssertDistribution(Tensor t, double std, bool uniform)
    {
        var (mean, actualStd, maxAbs) = Stats(t);
        Assert.InRange(mean, -0.03 * std, 0.03 * std);                   // n ≥ 18k: the sample mean is within ~4 standard errors
        Assert.InRange(actualStd, 0.97 * std, 1.03 * std);
        if (uniform) Assert.InRange(maxAbs, 0.99 * std * Math.Sqrt(3), std * Math.Sqrt(3) * (1 + 1e-6));
        else Assert.True(maxAbs > 3 * std, "a normal sample this large reaches beyond 3σ");
    }

    [Theory]
    [InlineData(InitScheme.XavierNormal)]
    [InlineData(InitScheme.XavierUniform)]
    [InlineData(InitScheme.HeNormal)]
    [InlineData(InitScheme.HeUniform)]
    [InlineData(InitScheme.Normal)]
    [InlineData(InitScheme.ByLayerType)]
    public void Weights_follow_the_scheme_biases_are_zero_and_batch_norm_is_untouched(InitScheme scheme)
    {
        var net = new Net();
        Init.Apply(net.Model, scheme, new Rng(7), normalStd: 0.02f);
        foreach (var (layer, fanIn, fanOut) in new[] { (net.Conv, 288, 576), (net.Linear, 400, 200) })
        {
            double std = scheme switch
            {
                InitScheme.XavierNormal or InitScheme.XavierUniform => Math.Sqrt(2.0 / (fanIn + fanOut)),
                InitScheme.HeNormal or InitScheme.HeUniform => Math.Sqrt(2.0 / fanIn),
                InitScheme.Normal => 0.02,
                _ => layer == net.Linear ? 0.02 : Math.Sqrt(2.0 / fanIn),
            };
            AssertDistribution(layer.Weight, std, uniform: scheme is InitScheme.XavierUniform or InitScheme.HeUniform);
            Assert.All(layer.Bias.ToArray(), b => Assert.Equal(0f, b));
        }
        Assert.All(net.Norm.Weight.ToArray(), w => Assert.Equal(3f, w));
        Assert.All(net.Norm.Bias.ToArray(), b => Assert.Equal(5f, b));
    }

    [Fact]
    public void Normal_uses_the_given_mean_and_Zeros_zeroes()
    {
        var net = new Net();
        Init.Apply(net.Model, InitScheme.Normal, new Rng(1), normalStd: 0.1f, mean: 0.5f);
        var (mean, std, _) = Stats(net.Linear.Weight);
        Assert.InRange(mean, 0.497, 0.503);
        Assert.InRange(std, 0.097, 0.103);
        Init.Apply(net.Model, InitScheme.Zeros, new Rng(1));
        Assert.All(net.Conv.Weight.ToArray(), w => Assert.Equal(0f, w));
        Assert.All(net.Norm.Weight.ToArray(), w => Assert.Equal(3f, w));
    }

    [Fact]
    public void Default_calls_ResetParameters_on_linear_and_conv_layers_only()
    {
        var net = new Net();
        Init.Apply(net.Model, InitScheme.Default, new Rng(1));
        Assert.Equal((1, 0, 1), (net.Conv.Resets, net.Norm.Resets, net.Linear.Resets));
        Assert.Equal(7f, net.Linear.Weight.Span[0]);
        Assert.Equal(5f, net.Linear.Bias.Span[0]); // the layer's own reset decides about its bias
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        float[] Run(ulong seed)
        {
            var net = new Net();
            Init.Apply(net.Model, InitScheme.HeNormal, new Rng(seed));
            return [.. net.Conv.Weight.ToArray(), .. net.Linear.Weight.ToArray()];
        }
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Fans_are_torchs()
    {
        Assert.Equal((400, 200), Init.Fans(new Shape(200, 400)));
        Assert.Equal((32 * 9, 64 * 9), Init.Fans(new Shape(64, 32, 3, 3)));
        Assert.Throws<ArgumentException>(() => Init.Fans(new Shape(5)));
        Assert.Equal(MathF.Sqrt(2f), Init.Gain("relu"));
    }
}
