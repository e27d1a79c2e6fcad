using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Negative log-likelihood on log-probabilities [N, C] (a <see cref="LogSoftmax"/> output) and class indices,
/// as torch.nn.NLLLoss: lᵢ = -w[yᵢ]·x[i, yᵢ]; the mean divides by the sum of the targets' weights.
/// </summary>
public sealed class NllLoss(Reduction reduction = Reduction.Mean, float[]? classWeights = null) : IBackward
{
    private readonly float[]? classWeights = classWeights is null ? null : (float[])classWeights.Clone();
    private Tensor? input, output;
    private int[]? targets;
    private double divisor;

    public Reduction Reduction { get; } = reduction;
    public ReadOnlySpan<float> ClassWeights => classWeights;

    public Tensor Forward(Tensor logProbs, int[] targets)
    {
        LossChecks.ClassTargets(nameof(NllLoss), logProbs.Shape, targets, classWeights, ref this.targets);
        input = logProbs;
        int n = logProbs.Shape[0], classes = logProbs.Shape[1];
        var x = logProbs.Span;
        double total = 0, weightSum = 0;
        for (int i = 0; i < n; i++)
        {
            int t = this.targets[i];
            double w = classWeights is null ? 1.0 : classWeights[t];
            total -= w * x[i * classes + t];
            weightSum += w;
        }
        divisor = Reduction == Reduction.Mean ? weightSum : 1.0;
        var loss = Tensor.Ensure(ref output, Shape.Scalar);
        loss[0] = (float)(total / divisor);
        Tape.Record(this, loss, logProbs.RequiresGrad);
        return loss;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        int n = input.Shape[0], classes = input.Shape[1];
        float scale = (float)(output.Grad!.Span[0] / divisor);
        var dx = input.GradForWrite(out bool accumulate);
        if (!accumulate) dx.Clear();
        for (int i = 0; i < n; i++)
        {
            int t = targets![i];
            dx[i * classes + t] -= scale * (classWeights is null ? 1f : classWeights[t]);
        }
    }
}
