using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn.Inference;

/// <summary>
/// ReLU written over its input, for folded inference models only: it follows a linear layer, which owns the tensor it
/// returns, so no second buffer is filled. (Convolutions and residual adds apply theirs as they write.)
/// Nothing can be differentiated through it, so it refuses to run while gradients are recorded.
/// </summary>
public sealed class InPlaceReLU : Module
{
    public override Tensor Forward(Tensor input)
    {
        if (Tape.IsRecording && input.RequiresGrad)
            throw new InvalidOperationException("InPlaceReLU belongs to a model folded for inference: run it under Tape.NoGrad().");
        Activations.ReluForward(input.Span, input.Span);
        return input;
    }

    public override Shape OutputShape(Shape input) => input;

    public override string Describe() => "ReLU (in place)";
}
