namespace Atelier.Optim;

/// <summary>
/// The one-cycle policy (Smith): the rate rises from maxLr/divFactor to maxLr over the first pctStart of the steps,
/// then falls to maxLr/(divFactor·finalDivFactor), as torch.optim.lr_scheduler.OneCycleLR (two phases, learning
/// rate only: momentum is not cycled). Step once per BATCH; totalSteps = epochs × batches per epoch.
/// </summary>
public sealed class OneCycleLR : LrScheduler
{
    private readonly double phaseOneEnd;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy anneal = AnnealStrategy.Cos,
        double divFactor = 25, double finalDivFactor = 1e4) : base(optimizer)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"OneCycleLR needs a positive number of total steps, got {totalSteps}.");
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), $"pctStart must be between 0 and 1, got {pctStart}.");
        if (!(maxLr > 0) || !(divFactor > 0) || !(finalDivFactor > 0))
            throw new ArgumentOutOfRangeException(nameof(maxLr), "OneCycleLR needs maxLr, divFactor and finalDivFactor > 0.");
        (MaxLr, TotalSteps, PctStart, Anneal) = (maxLr, totalSteps, pctStart, anneal);
        BaseLr = maxLr / divFactor;
        MinLr = BaseLr / finalDivFactor;
        phaseOneEnd = pctStart * totalSteps - 1;
        Start();
    }

    public double MaxLr { get; }
    public double MinLr { get; }
    public int TotalSteps { get; }
    public double PctStart { get; }
    public AnnealStrategy Anneal { get; }

    public override bool StepsPerBatch => true;

    public override void Step()
    {
        if (LastEpoch + 1 > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR was stepped {LastEpoch + 1} times but was created for {TotalSteps} steps: give it epochs × batches per epoch.");
        base.Step();
    }

    /// <remarks>
    /// PyTorch allows one step past the schedule (the call after the last batch) and extrapolates, which can turn a
    /// linear anneal negative; that step holds the final rate here instead.
    /// </remarks>
    protected override double ComputeLearningRate()
    {
        double step = Math.Min(LastEpoch, TotalSteps - 1);
        return step <= phaseOneEnd
            ? Interpolate(BaseLr, MaxLr, step / phaseOneEnd)
            : Interpolate(MaxLr, MinLr, (step - phaseOneEnd) / (TotalSteps - 1 - phaseOneEnd));
    }

    private double Interpolate(double start, double end, double pct) => Anneal == AnnealStrategy.Cos
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;
}
