using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Hyperbolic tangent, as torch.nn.Tanh.</summary>
public sealed class Tanh : Activation
{
    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output) => Activations.TanhForward(output, input);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.TanhBackward(dinput, output, doutput, accumulate);
}
