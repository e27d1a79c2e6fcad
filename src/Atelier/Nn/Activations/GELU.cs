using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>x · Φ(x) with the exact erf form, as torch.nn.GELU() (approximate='none').</summary>
public sealed class GELU : Activation
{
    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output) => Activations.GeluForward(output, input);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.GeluBackward(dinput, input, doutput, accumulate);
}
