namespace Atelier.Autograd;

/// <summary>
/// An op on the tape. Forward ran already and kept what it needs; Backward reads its output's gradient and
/// sends gradients to its inputs (through <see cref="Tensors.Tensor.GradForWrite"/>) and its parameters.
/// An op whose output received no gradient (<c>!output.HasGrad</c>) returns at once; an input that does not
/// <c>RequiresGrad</c> (the images, say) gets no gradient computed for it.
/// </summary>
public interface IBackward
{
    void Backward();
}
