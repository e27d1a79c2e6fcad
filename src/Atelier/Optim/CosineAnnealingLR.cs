namespace Atelier.Optim;

/// <summary>
/// Cosine annealing from the base rate to <c>etaMin</c> over <c>tMax</c> epochs (then back up, periodically), as
/// torch.optim.lr_scheduler.CosineAnnealingLR's chainable form. Step once per epoch.
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax < 1) throw new ArgumentOutOfRangeException(nameof(tMax), $"The cosine period tMax must be at least 1 epoch, got {tMax}.");
        (TMax, EtaMin) = (tMax, etaMin);
        Start();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    /// <summary>
    /// A linear warm-up of <paramref name="warmupSteps"/> epochs followed by <paramref name="tMax"/> epochs of cosine
    /// annealing (PyTorch: SequentialLR of LinearLR(start_factor = 1/warmupSteps) and CosineAnnealingLR).
    /// </summary>
    public static LrScheduler WithWarmup(Optimizer optimizer, int tMax, int warmupSteps, double etaMin = 0) =>
        warmupSteps == 0 ? new CosineAnnealingLR(optimizer, tMax, etaMin) : new LinearWarmupLR(new CosineAnnealingLR(optimizer, tMax, etaMin), warmupSteps);

    protected override double ComputeLearningRate()
    {
        int e = LastEpoch;
        double lr = LearningRate;
        if (e == 0) return BaseLr;
        if ((e - 1 - TMax) % (2 * TMax) == 0)
            return lr + (BaseLr - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        return (1 + Math.Cos(Math.PI * e / TMax)) / (1 + Math.Cos(Math.PI * (e - 1) / TMax)) * (lr - EtaMin) + EtaMin;
    }
}
