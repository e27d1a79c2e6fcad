using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>log(softmax(x)) over one dimension (default 1), computed stably, as torch.nn.LogSoftmax(dim); pairs with <see cref="NllLoss"/>.</summary>
public sealed class LogSoftmax(int dim = 1) : Activation
{
    public int Dim { get; } = dim;

    protected override void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output)
    {
        var (outer, classes, inner) = SoftmaxAxis.Split(shape, Dim);
        Kernels.Softmax.LogForward(output, input, outer, classes, inner);
    }

    protected override void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate)
    {
        var (outer, classes, inner) = SoftmaxAxis.Split(shape, Dim);
        Kernels.Softmax.LogBackward(dinput, output, doutput, outer, classes, inner, accumulate);
    }

    public override Shape OutputShape(Shape input)
    {
        SoftmaxAxis.Split(input, Dim);
        return input;
    }

    public override string Describe() => $"LogSoftmax(dim={Dim})";
}
