namespace Atelier.Tuning;

/// <summary>A trial's life, as Optuna names it.</summary>
public enum TrialState
{
    /// <summary>Made with fixed parameters (enqueued, or the retry of a trial whose worker died) and not yet claimed by a worker.</summary>
    Waiting,
    Running,
    Complete,
    /// <summary>Stopped early by the pruner; its last intermediate value is kept.</summary>
    Pruned,
    /// <summary>The objective threw, returned NaN, or the trial's worker died (no heartbeat for the grace period).</summary>
    Fail,
}

public enum StudyDirection
{
    Minimize,
    Maximize,
}

public static class TrialStates
{
    /// <summary>Finished: counts toward a study's number of trials.</summary>
    public static bool IsFinished(this TrialState state) => state is TrialState.Complete or TrialState.Pruned;

    /// <summary>The name storage and JSON use: "waiting", "running", "complete", "pruned", "fail".</summary>
    public static string Name(this TrialState state) => state.ToString().ToLowerInvariant();

    public static TrialState Parse(string name) => Enum.Parse<TrialState>(name, ignoreCase: true);
}
