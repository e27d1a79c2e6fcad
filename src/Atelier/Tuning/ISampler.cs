namespace Atelier.Tuning;

/// <summary>What a sampler or pruner sees of a study: its record and a snapshot of its trials (every state).</summary>
public sealed record StudyView(StudyRecord Study, IReadOnlyList<FrozenTrial> Trials)
{
    public StudyDirection Direction => Study.Direction;
}

/// <summary>
/// Proposes parameters, after Optuna's BaseSampler. A sampler is a function of the study's trials (finished and
/// running) and its own seeded randomness (see <see cref="SamplerRandom"/>): it keeps no state between calls, so
/// any worker of a study can sample, and one worker with a seed reproduces its trials exactly.
/// </summary>
public interface ISampler
{
    /// <summary>The parameters to sample together for <paramref name="trial"/> (multivariate samplers); empty for the others.</summary>
    IReadOnlyDictionary<string, Distribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial);

    /// <summary>Values (internal form) for the relative search space, drawn together.</summary>
    IReadOnlyDictionary<string, double> SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space);

    /// <summary>A value (internal form) for one parameter outside the relative space.</summary>
    double SampleIndependent(StudyView study, FrozenTrial trial, string name, Distribution distribution);
}

/// <summary>Decides whether a running trial should stop, from its intermediate values and its peers' (Optuna's BasePruner).</summary>
public interface IPruner
{
    bool Prune(StudyView study, FrozenTrial trial);
}

/// <summary>Never prunes.</summary>
public sealed class NopPruner : IPruner
{
    public bool Prune(StudyView study, FrozenTrial trial) => false;
}
