namespace Atelier.Optim;

/// <summary>Multiplies the rate by <c>gamma</c> every <c>stepSize</c> epochs, as torch.optim.lr_scheduler.StepLR. Step once per epoch.</summary>
public sealed class StepLR : LrScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), $"The step size must be at least 1 epoch, got {stepSize}.");
        (StepSize, Gamma) = (stepSize, gamma);
        Start();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    protected override double ComputeLearningRate() =>
        LastEpoch == 0 ? BaseLr : LastEpoch % StepSize != 0 ? LearningRate : LearningRate * Gamma;
}
