namespace Atelier.Tuning;

/// <summary>
/// Optuna 3.1's PercentilePruner: after <see cref="NStartupTrials"/> complete trials and <see cref="NWarmupSteps"/>
/// steps, at the first report of each interval, prune when the trial's best intermediate value so far is worse than the
/// given percentile of the complete trials' values at the trial's latest step (when at least <see cref="NMinTrials"/>
/// of them reported that step). A NaN best value prunes.
/// </summary>
public sealed class PercentilePruner : IPruner
{
    public PercentilePruner(double percentile, int nStartupTrials = 5, int nWarmupSteps = 0, int intervalSteps = 1, int nMinTrials = 1)
    {
        if (!(percentile >= 0 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is in [0, 100].");
        if (nStartupTrials < 0) throw new ArgumentOutOfRangeException(nameof(nStartupTrials), nStartupTrials, "The number of startup trials is 0 or more.");
        if (nWarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(nWarmupSteps), nWarmupSteps, "The number of warm-up steps is 0 or more.");
        if (intervalSteps < 1) throw new ArgumentOutOfRangeException(nameof(intervalSteps), intervalSteps, "The pruning interval is at least 1 step.");
        if (nMinTrials < 1) throw new ArgumentOutOfRangeException(nameof(nMinTrials), nMinTrials, "The number of trials for pruning is at least 1.");
        Percentile = percentile;
        NStartupTrials = nStartupTrials;
        NWarmupSteps = nWarmupSteps;
        IntervalSteps = intervalSteps;
        NMinTrials = nMinTrials;
    }

    public double Percentile { get; }
    public int NStartupTrials { get; }
    public int NWarmupSteps { get; }
    public int IntervalSteps { get; }
    public int NMinTrials { get; }

    public bool Prune(StudyView study, FrozenTrial trial)
    {
        var complete = study.Trials.Where(t => t.State == TrialState.Complete).ToList();
        if (complete.Count == 0 || complete.Count < NStartupTrials) return false;
        if (trial.LastStep is not { } step || step < NWarmupSteps) return false;
        // Judge only at the first report of each interval: the previous report must lie before this interval's start.
        int intervalStart = (step - NWarmupSteps) / IntervalSteps * IntervalSteps + NWarmupSteps;
        int previous = trial.IntermediateValues.Keys.Where(s => s != step).DefaultIfEmpty(-1).Max();
        if (previous >= intervalStart) return false;

        bool maximize = study.Direction == StudyDirection.Maximize;
        var mine = trial.IntermediateValues.Values.Where(v => !double.IsNaN(v)).ToList();
        if (mine.Count == 0) return true;
        double best = maximize ? mine.Max() : mine.Min();

        var others = complete.Where(t => t.IntermediateValues.ContainsKey(step)).Select(t => t.IntermediateValues[step]).ToList();
        if (others.Count < NMinTrials) return false;
        double p = NanPercentile(others, maximize ? 100 - Percentile : Percentile);
        if (double.IsNaN(p)) return false;
        return maximize ? best < p : best > p;
    }

    /// <summary>numpy.nanpercentile with linear interpolation.</summary>
    internal static double NanPercentile(IEnumerable<double> values, double q)
    {
        var v = values.Where(x => !double.IsNaN(x)).Order().ToArray();
        if (v.Length == 0) return double.NaN;
        double pos = q / 100 * (v.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, v.Length - 1);
        return v[lo] + (v[hi] - v[lo]) * (pos - lo);
    }
}
