using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Mean (or summed) squared error between two tensors of one shape, as torch.nn.MSELoss; both may require gradients.</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : IBackward
{
    private Tensor? input, target, output, difference;
    private float divisor;

    public Reduction Reduction { get; } = reduction;

    public Tensor Forward(Tensor input, Tensor target)
    {
        if (input.Shape != target.Shape)
            throw new ArgumentException($"MseLoss needs input and target of the same shape, got {input.Shape} and {target.Shape}.", nameof(target));
        this.input = input;
        this.target = target;
        var diff = Tensor.Ensure(ref difference, input.Shape);
        TensorPrimitives.Subtract(input.Span, target.Span, diff.Span);
        divisor = Reduction == Reduction.Mean ? input.Size : 1f;
        var loss = Tensor.Ensure(ref output, Shape.Scalar);
        loss[0] = TensorPrimitives.SumOfSquares<float>(diff.Span) / divisor;
        Tape.Record(this, loss, input.RequiresGrad || target.RequiresGrad);
        return loss;
    }

    public void Backward()
    {
        if (!output!.HasGrad) return;
        float scale = 2f * output.Grad!.Span[0] / divisor;
        var diff = difference!.Span;
        bool accumulate;
        if (input!.RequiresGrad)
        {
            var dx = input.GradForWrite(out accumulate);
            if (accumulate) TensorPrimitives.MultiplyAdd(diff, scale, dx, dx);
            else TensorPrimitives.Multiply(diff, scale, dx);
        }
        if (target!.RequiresGrad)
        {
            var dt = target.GradForWrite(out accumulate);
            if (accumulate) TensorPrimitives.MultiplyAdd(diff, -scale, dt, dt);
            else TensorPrimitives.Multiply(diff, -scale, dt);
        }
    }
}
