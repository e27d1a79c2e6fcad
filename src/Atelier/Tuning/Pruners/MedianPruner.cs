namespace Atelier.Tuning;

/// <summary>Optuna's MedianPruner: the <see cref="PercentilePruner"/> at the 50th percentile.</summary>
public sealed class MedianPruner(int nStartupTrials = 5, int nWarmupSteps = 0, int intervalSteps = 1, int nMinTrials = 1) : IPruner
{
    private readonly PercentilePruner inner = new(50, nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials);

    public bool Prune(StudyView study, FrozenTrial trial) => inner.Prune(study, trial);
}
