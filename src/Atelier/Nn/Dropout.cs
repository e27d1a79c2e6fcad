using System.Globalization;
using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Inverted dropout, as torch.nn.Dropout: in training each element is kept with probability 1 - p and scaled by
/// 1/(1 - p), the mask kept for backward; in eval mode (or p = 0) the input is returned as is.
/// </summary>
public sealed class Dropout : Module, IBackward
{
    private Tensor? input, output, mask;

    public Dropout(float p = 0.5f)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability must be in [0, 1), got {p.ToString(CultureInfo.InvariantCulture)}.");
        P = p;
    }

    public float P { get; }

    /// <summary>The random stream of the masks; the trainer sets it from the run's seed.</summary>
    public Rng Generator { get; set; } = new Rng(0);

    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0f) return input;
        this.input = input;
        var y = Tensor.Ensure(ref output, input.Shape);
        var m = Tensor.Ensure(ref mask, input.Shape);
        Activations.DropoutForward(y.Span, m.Span, input.Span, P, Generator);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        Activations.DropoutBackward(dx, mask!.Span, output.Grad!.Span, accumulate);
    }

    public override Shape OutputShape(Shape input) => input;

    public override string Describe() => $"Dropout(p={P.ToString(CultureInfo.InvariantCulture)})";
}
