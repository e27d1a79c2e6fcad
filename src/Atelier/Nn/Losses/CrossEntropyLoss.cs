using System.Globalization;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Cross-entropy on logits [N, C] and class indices, as torch.nn.CrossEntropyLoss (torch 1.13): log-softmax and
/// NLL fused and stable; optional label smoothing ε (target mixed with the uniform ε/C) and class weights, the
/// weighted mean dividing by the sum of the targets' weights. Returns a scalar the loss owns and reuses. For mixup and
/// CutMix, a second set of targets with weight 1 − λ: λ·loss(targets) + (1 − λ)·loss(partners), which is PyTorch's loss
/// against the soft targets λ·y + (1 − λ)·y' (cross-entropy is linear in its target).
/// </summary>
public sealed class CrossEntropyLoss : IBackward
{
    private readonly float[]? classWeights;
    private Tensor? logits, output, probs;
    private int[]? targets, partners;
    private double divisor, partnerDivisor;
    private float lambda = 1f;

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
    public Tensor Forward(Tensor logits, int[] targets) => Forward(logits, targets, null, 1f);

    /// <summary>
    /// λ·loss(<paramref name="targets"/>) + (1 − λ)·loss(<paramref name="partners"/>): the loss of a mixed batch, each
    /// image the blend of its target's image (weight λ) and its partner's. Null partners (or λ = 1) is the plain loss.
    /// </summary>
    public Tensor Forward(Tensor logits, int[] targets, int[]? partners, float lambda)
    {
        if (!(lambda is >= 0f and <= 1f))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"The mixing weight must be in [0, 1], got {lambda.ToString(CultureInfo.InvariantCulture)}.");
        LossChecks.ClassTargets(nameof(CrossEntropyLoss), logits.Shape, targets, classWeights, ref this.targets);
        this.logits = logits;
        this.lambda = partners is null ? 1f : lambda;
        int n = logits.Shape[0], classes = logits.Shape[1];
        var p = Tensor.Ensure(ref probs, logits.Shape);
        double value = Term(p.Span, logits.Span, this.targets, n, classes, out divisor);
        if (partners is not null)
        {
            LossChecks.ClassTargets(nameof(CrossEntropyLoss), logits.Shape, partners, classWeights, ref this.partners);
            value = this.lambda * value + (1 - this.lambda) * Term(p.Span, logits.Span, this.partners, n, classes, out partnerDivisor);
        }
        var loss = Tensor.Ensure(ref output, Shape.Scalar);
        loss[0] = (float)value;
        Tape.Record(this, loss, logits.RequiresGrad);
        return loss;
    }

    // One target set's reduced loss; also writes the softmax into probs (the same for every target set).
    private double Term(Span<float> probs, ReadOnlySpan<float> logits, int[] targets, int n, int classes, out double divisor)
    {
        double total = Kernels.Softmax.CrossEntropyForward(probs, logits, targets.AsSpan(0, n), classWeights,
            LabelSmoothing, n, classes, out double targetWeightSum);
        divisor = Reduction == Reduction.Mean ? targetWeightSum : 1.0;
        return total / divisor;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !logits!.RequiresGrad) return;
        int n = logits.Shape[0], classes = logits.Shape[1];
        float grad = output.Grad!.Span[0];
        var dx = logits.GradForWrite(out bool accumulate);
        Kernels.Softmax.CrossEntropyBackward(dx, probs!.Span, targets.AsSpan(0, n), classWeights, LabelSmoothing,
            (float)(grad * lambda / divisor), n, classes, accumulate);
        if (lambda < 1f)
            Kernels.Softmax.CrossEntropyBackward(dx, probs.Span, partners.AsSpan(0, n), classWeights, LabelSmoothing,
                (float)(grad * (1 - lambda) / partnerDivisor), n, classes, accumulate: true);
    }
}
