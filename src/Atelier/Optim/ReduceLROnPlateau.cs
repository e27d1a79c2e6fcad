namespace Atelier.Optim;

/// <summary>
/// Multiplies the rate by <c>factor</c> when a validation metric has not improved for more than <c>patience</c>
/// epochs, as torch.optim.lr_scheduler.ReduceLROnPlateau. Call <see cref="Step(double)"/> once per epoch with the metric.
/// </summary>
public sealed class ReduceLROnPlateau : LrScheduler
{
    private double best;
    private int badEpochs, cooldownCounter;

    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : base(optimizer)
    {
        if (!(factor < 1.0 && factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), $"The reduction factor must be in [0, 1), got {factor}.");
        if (patience < 0 || cooldown < 0) throw new ArgumentOutOfRangeException(nameof(patience), "Patience and cooldown must be ≥ 0 epochs.");
        (Mode, Factor, Patience, Threshold, ThresholdMode, Cooldown, MinLr, Eps) = (mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        best = WorstValue;
        LastEpoch = 0;
        SetLearningRate(BaseLr);
    }

    public PlateauMode Mode { get; }
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public ThresholdMode ThresholdMode { get; }
    public int Cooldown { get; }
    public double MinLr { get; }
    public double Eps { get; }

    /// <summary>The best metric seen so far (±∞ before the first step).</summary>
    public double Best => best;

    private double WorstValue => Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>This schedule follows a metric: use <see cref="Step(double)"/>.</summary>
    public override void Step() =>
        throw new InvalidOperationException("ReduceLROnPlateau needs the epoch's validation metric: call Step(metric).");

    public override void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric)) { best = metric; badEpochs = 0; }
        else badEpochs++;
        if (cooldownCounter > 0) { cooldownCounter--; badEpochs = 0; }
        if (badEpochs > Patience)
        {
            double oldLr = LearningRate, newLr = Math.Max(oldLr * Factor, MinLr);
            if (oldLr - newLr > Eps) SetLearningRate(newLr);
            cooldownCounter = Cooldown;
            badEpochs = 0;
        }
    }

    private bool IsBetter(double a) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => a < best * (1.0 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => a < best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => a > best * (Threshold + 1.0),
        _ => a > best + Threshold,
    };

    protected override double ComputeLearningRate() => LearningRate;

    /// <remarks>"best" is ±∞ until the first step: a JSON writer must allow named floating-point literals.</remarks>
    protected override void SaveState(Dictionary<string, double> state)
    {
        state["best"] = best;
        state["num_bad_epochs"] = badEpochs;
        state["cooldown_counter"] = cooldownCounter;
    }

    protected override void LoadExtraState(IReadOnlyDictionary<string, double> state)
    {
        best = Read(state, "best");
        badEpochs = (int)Read(state, "num_bad_epochs");
        cooldownCounter = (int)Read(state, "cooldown_counter");
    }
}
