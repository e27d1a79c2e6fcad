using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Returns its input unchanged (the same tensor, so gradients flow straight through), as torch.nn.Identity.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;

    public override Shape OutputShape(Shape input) => input;
}
