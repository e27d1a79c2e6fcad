using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>max(x, 0), as torch.nn.ReLU (gradient 0 at 0).</summary>
public sealed class ReLU : Activation
{
    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output) => Activations.ReluForward(output, input);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.ReluBackward(dinput, input, doutput, accumulate);
}
