using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Softmax over one dimension (default 1: the classes of [N, C] logits), as torch.nn.Softmax(dim). For training,
/// feed logits to <see cref="CrossEntropyLoss"/> instead: it fuses log-softmax and is numerically safer.
/// </summary>
public sealed class Softmax(int dim = 1) : Activation
{
    public int Dim { get; } = dim;

    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output)
    {
        var (outer, classes, inner) = SoftmaxAxis.Split(shape, Dim);
        Kernels.Softmax.Forward(output, input, outer, classes, inner);
    }

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate)
    {
        var (outer, classes, inner) = SoftmaxAxis.Split(shape, Dim);
        Kernels.Softmax.Backward(dinput, output, doutput, outer, classes, inner, accumulate);
    }

    public override Shape OutputShape(Shape input)
    {
        SoftmaxAxis.Split(input, Dim);
        return input;
    }

    public override string Describe() => $"Softmax(dim={Dim})";
}
