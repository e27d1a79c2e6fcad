using System.Globalization;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Cross-entropy on logits [N, C] and class indices, as torch.nn.CrossEntropyLoss (torch 1.13): log-softmax and
/// NLL fused and stable; optional label smoothing ε (target mixed with the uniform ε/C) and class weights, the
/// weighted mean dividing by the sum of the targets' weights. Returns a scalar the loss owns and reuses.
/// </summary>
public sealed class CrossEntropyLoss : IBackward
{
    private readonly float[]? classWeights;
    private Tensor? logits, output, probs;
    private int[]? targets;
    private double divisor;

    public CrossEntropyLoss(Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, float[]? classWeights = null)
    {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing,
                $"Label smoothing must be between 0 and 1, got {labelSmoothing.ToString(CultureInfo.InvariantCulture)}.");
        Reduction = reduction;
        LabelSmoothing = labelSmoothing;
        this.classWeights = classWeights is null ? null : (float[])classWeights.Clone();
    }

    public Reduction Reduction { get; }
    public float LabelSmoothing { get; }
    public ReadOnlySpan<float> ClassWeights => classWeights;

    /// <summary>Loss of <paramref name="logits"/> [N, C] against the first N of <paramref name="targets"/> (class indices).</summary>
    public Tensor Forward(Tensor logits, int[] targets)
    {
        LossChecks.ClassTargets(nameof(CrossEntropyLoss), logits.Shape, targets, classWeights, ref this.targets);
        this.logits = logits;
        int n = logits.Shape[0], classes = logits.Shape[1];
        var p = Tensor.Ensure(ref probs, logits.Shape);
        double total = Kernels.Softmax.CrossEntropyForward(p.Span, logits.Span, this.targets.AsSpan(0, n), classWeights,
            LabelSmoothing, n, classes, out double targetWeightSum);
        divisor = Reduction == Reduction.Mean ? targetWeightSum : 1.0;
        var loss = Tensor.Ensure(ref output, Shape.Scalar);
        loss[0] = (float)(total / divisor);
        Tape.Record(this, loss, logits.RequiresGrad);
        return loss;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !logits!.RequiresGrad) return;
        int n = logits.Shape[0], classes = logits.Shape[1];
        float scale = (float)(output.Grad!.Span[0] / divisor);
        var dx = logits.GradForWrite(out bool accumulate);
        Kernels.Softmax.CrossEntropyBackward(dx, probs!.Span, targets.AsSpan(0, n), classWeights, LabelSmoothing, scale, n, classes, accumulate);
    }
}
