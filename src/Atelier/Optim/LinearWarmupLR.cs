namespace Atelier.Optim;

/// <summary>
/// A linear warm-up in front of another schedule: for <c>warmupSteps</c> steps the rate climbs from
/// base·startFactor towards the base rate, then <c>after</c> runs from its own step 0. PyTorch:
/// SequentialLR([LinearLR(start_factor, total_iters = warmupSteps), after], milestones = [warmupSteps]).
/// Steps per epoch or per batch, as the wrapped schedule does.
/// </summary>
public sealed class LinearWarmupLR : LrScheduler
{
    /// <param name="after">A schedule just created on the same optimizer; it is stepped only once the warm-up is over.</param>
    /// <param name="warmupSteps">How many steps the warm-up lasts.</param>
    /// <param name="startFactor">The first step's fraction of the base rate; 1/warmupSteps when not given.</param>
    public LinearWarmupLR(LrScheduler after, int warmupSteps, double? startFactor = null) : base(after?.Optimizer ?? throw new ArgumentNullException(nameof(after)))
    {
        if (after is ReduceLROnPlateau) throw new ArgumentException("A warm-up cannot precede ReduceLROnPlateau, which follows a metric rather than a step count.", nameof(after));
        if (warmupSteps < 1) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"The warm-up needs at least 1 step, got {warmupSteps}.");
        double factor = startFactor ?? 1.0 / warmupSteps;
        if (!(factor > 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"The warm-up start factor must be in (0, 1], got {factor}.");
        (After, WarmupSteps, StartFactor) = (after, warmupSteps, factor);
        BaseLr = after.BaseLr;
        Start();
    }

    public LrScheduler After { get; }
    public int WarmupSteps { get; }
    public double StartFactor { get; }

    public override bool StepsPerBatch => After.StepsPerBatch;

    public override void Step()
    {
        if (LastEpoch < WarmupSteps) { base.Step(); return; }
        LastEpoch++;
        After.Step();
        SetLearningRate(After.LearningRate);
    }

    protected override double ComputeLearningRate()
    {
        if (LastEpoch == WarmupSteps) return After.LearningRate; // the wrapped schedule's step 0
        if (LastEpoch == 0) return BaseLr * StartFactor;
        // LinearLR's chainable form with end_factor 1.
        return LearningRate * (1 + (1 - StartFactor) / (WarmupSteps * StartFactor + (LastEpoch - 1) * (1 - StartFactor)));
    }

    protected override void SaveState(Dictionary<string, double> state)
    {
        foreach (var (key, value) in After.StateDict()) state["after." + key] = value;
    }

    protected override void LoadExtraState(IReadOnlyDictionary<string, double> state)
    {
        var inner = new Dictionary<string, double>();
        foreach (var (key, value) in state)
            if (key.StartsWith("after.", StringComparison.Ordinal)) inner[key["after.".Length..]] = value;
        After.LoadState(inner);
    }
}
