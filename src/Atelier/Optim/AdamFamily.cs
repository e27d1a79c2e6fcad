using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>What Adam and AdamW share: hyperparameters, their checks, and the moment buffers (+ AMSGrad's maximum).</summary>
public abstract class AdamFamily : Optimizer
{
    private static readonly string[] Moments = ["exp_avg", "exp_avg_sq"];
    private static readonly string[] MomentsAndMax = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    protected AdamFamily(IEnumerable<Tensor> parameters, float lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad)
        : base(parameters, lr)
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(eps, nameof(eps));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        (Beta1, Beta2, Eps, WeightDecay, AmsGrad) = (beta1, beta2, eps, weightDecay, amsgrad);
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public bool AmsGrad { get; }

    protected override string[] BufferNames => AmsGrad ? MomentsAndMax : Moments;
}
