using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// A parameter-free layer whose output has its input's shape (ReLU, Sigmoid, Softmax...): the plumbing of
/// buffers and tape lives here, the math in <see cref="Apply"/> and <see cref="Gradient"/> (kernel calls).
/// </summary>
public abstract class Activation : Module, IBackward
{
    private Tensor? input, output;

    public sealed override Tensor Forward(Tensor input)
    {
        this.input = input;
        var y = Tensor.Ensure(ref output, input.Shape);
        Apply(input.Shape, input.Span, y.Span);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        Gradient(input.Shape, dx, input.Span, output.Span, output.Grad!.Span, accumulate);
    }

    public override Shape OutputShape(Shape input) => input;

    /// <summary>output = f(input); the two never alias.</summary>
    protected abstract void Apply(Shape shape, ReadOnlySpan<float> input, Span<float> output);

    /// <summary>dinput = (or += when <paramref name="accumulate"/>) f'(·) ⊙ doutput, from the input or the output.</summary>
    protected abstract void Gradient(Shape shape, Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> output,
        ReadOnlySpan<float> doutput, bool accumulate);
}
