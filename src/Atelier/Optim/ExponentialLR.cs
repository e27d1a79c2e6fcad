namespace Atelier.Optim;

/// <summary>Multiplies the rate by <c>gamma</c> every epoch, as torch.optim.lr_scheduler.ExponentialLR. Step once per epoch.</summary>
public sealed class ExponentialLR : LrScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        Start();
    }

    public double Gamma { get; }

    protected override double ComputeLearningRate() => LastEpoch == 0 ? BaseLr : LearningRate * Gamma;
}
