using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>[N, C, H, W] → [N, C·H·W]: a view of the same buffer; backward hands the gradient back reshaped.</summary>
public sealed class Flatten : Module, IBackward
{
    private Tensor? input, output;

    public override Tensor Forward(Tensor input)
    {
        this.input = input;
        var shape = OutputShape(input.Shape);
        if (output is null || output.Buffer != input.Buffer) output = new Tensor(shape, input.Buffer);
        else output.Resize(shape);
        output.HasGrad = false;
        Tape.Record(this, output, input.RequiresGrad);
        return output;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        input.AccumulateGrad(output.Grad!.Span);
    }

    public override Shape OutputShape(Shape input) => new(input[0], input.SizeFrom(1));
}
