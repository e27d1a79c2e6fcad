using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>1 / (1 + e⁻ˣ), as torch.nn.Sigmoid.</summary>
public sealed class Sigmoid : Activation
{
    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output) => Activations.SigmoidForward(output, input);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.SigmoidBackward(dinput, output, doutput, accumulate);
}
