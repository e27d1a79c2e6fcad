namespace Atelier.Tuning;

/// <summary>
/// Asynchronous successive halving (ASHA), after Optuna 3.1's SuccessiveHalvingPruner. Rung k ends at step
/// minResource * reductionFactor^(minEarlyStoppingRate + k); a trial that reaches it goes on only when its value there is
/// in the best 1/reductionFactor of the values its peers had at that rung (the best one while fewer than
/// reductionFactor have been there).
/// Optuna stores each trial's rung values as "completed_rung_k" attributes; a pruner here sees only the trials, so it
/// recomputes them: a trial's value at rung k is its intermediate value at its first reported step at or past the rung's
/// end, which is what Optuna records when the pruner is asked after every report. With minResource null ("auto"), the
/// minimum resource is max(last step of complete trials / 100, 1), recomputed each call (Optuna fixes it at first use).
/// </summary>
public sealed class SuccessiveHalvingPruner : IPruner
{
    public SuccessiveHalvingPruner(int? minResource = null, int reductionFactor = 4, int minEarlyStoppingRate = 0, int bootstrapCount = 0)
    {
        if (minResource is < 1) throw new ArgumentOutOfRangeException(nameof(minResource), minResource, "The minimum resource is at least 1 (or null for auto).");
        if (reductionFactor < 2) throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "The reduction factor is at least 2.");
        if (minEarlyStoppingRate < 0) throw new ArgumentOutOfRangeException(nameof(minEarlyStoppingRate), minEarlyStoppingRate, "The minimum early-stopping rate is 0 or more.");
        if (bootstrapCount < 0) throw new ArgumentOutOfRangeException(nameof(bootstrapCount), bootstrapCount, "The bootstrap count is 0 or more.");
        if (bootstrapCount > 0 && minResource is null) throw new ArgumentException("A bootstrap count above 0 needs an explicit minimum resource, as in Optuna.");
        MinResource = minResource;
        ReductionFactor = reductionFactor;
        MinEarlyStoppingRate = minEarlyStoppingRate;
        BootstrapCount = bootstrapCount;
    }

    public int? MinResource { get; }
    public int ReductionFactor { get; }
    public int MinEarlyStoppingRate { get; }
    public int BootstrapCount { get; }

    public bool Prune(StudyView study, FrozenTrial trial) => Prune(study.Trials, study.Direction, trial);

    /// <summary>Judges <paramref name="trial"/> against <paramref name="peers"/> (Hyperband passes one bracket's trials).</summary>
    internal bool Prune(IReadOnlyList<FrozenTrial> peers, StudyDirection direction, FrozenTrial trial)
    {
        if (trial.LastStep is not { } step) return false;
        long minResource;
        if (MinResource is { } m) minResource = m;
        else
        {
            var steps = peers.Where(t => t.State == TrialState.Complete && t.LastStep is not null).Select(t => t.LastStep!.Value).ToList();
            if (steps.Count == 0) return false;
            minResource = Math.Max(steps.Max() / 100, 1);
        }
        double value = trial.IntermediateValues[step];
        // Rungs finished at earlier reports: those that end at or before the previous reported step.
        int previous = trial.IntermediateValues.Keys.Where(s => s < step).DefaultIfEmpty(-1).Max();
        int rung = 0;
        while (RungEnd(minResource, rung) <= previous) rung++;
        while (true)
        {
            long end = RungEnd(minResource, rung);
            if (step < end) return false;
            if (double.IsNaN(value)) return true;
            var competing = peers.Where(t => t.Number != trial.Number).Select(t => ValueAt(t, end)).OfType<double>().ToList();
            competing.Add(value);
            if (competing.Count <= BootstrapCount) return true;
            if (!Promotable(value, competing, direction)) return true;
            rung++;
        }
    }

    private long RungEnd(long minResource, int rung)
    {
        double end = minResource * Math.Pow(ReductionFactor, MinEarlyStoppingRate + rung);
        return end > int.MaxValue ? long.MaxValue : (long)end;
    }

    /// <summary>A trial's recorded value at the rung ending at <paramref name="end"/>: its first report at or past it.</summary>
    private static double? ValueAt(FrozenTrial t, long end)
    {
        int? first = null;
        foreach (var s in t.IntermediateValues.Keys)
            if (s >= end && (first is null || s < first)) first = s;
        return first is { } f ? t.IntermediateValues[f] : null;
    }

    private bool Promotable(double value, List<double> competing, StudyDirection direction)
    {
        int index = competing.Count / ReductionFactor - 1;
        // Optuna cannot pause trials, so before reductionFactor values exist the best one goes on.
        if (index == -1) index = 0;
        competing.Sort();
        return direction == StudyDirection.Maximize ? value >= competing[^(index + 1)] : value <= competing[index];
    }
}
