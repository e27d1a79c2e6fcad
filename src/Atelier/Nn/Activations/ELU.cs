using System.Globalization;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>x &gt; 0 ? x : α(eˣ - 1), as torch.nn.ELU.</summary>
public sealed class ELU(float alpha = 1f) : Activation
{
    public float Alpha { get; } = alpha;

    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output) => Activations.EluForward(output, input, Alpha);

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate) => Activations.EluBackward(dinput, input, doutput, Alpha, accumulate);

    public override string Describe() => $"ELU(alpha={Alpha.ToString(CultureInfo.InvariantCulture)})";
}
