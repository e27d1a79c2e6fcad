using System.Globalization;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>x &gt; 0 ? x : negativeSlope · x, as torch.nn.LeakyReLU.</summary>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Activation
{
    public float NegativeSlope { get; } = negativeSlope;

    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output)
        => Activations.LeakyReluForward(output, input, NegativeSlope);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.LeakyReluBackward(dinput, input, doutput, NegativeSlope, accumulate);

    public override string Describe() => $"LeakyReLU({NegativeSlope.ToString(CultureInfo.InvariantCulture)})";
}
