namespace Atelier.Training;

/// <summary>A run stopped by <see cref="TrainingRun.StopAfter"/> (a tuning study's pruner) after <see cref="Epoch"/>; its folder keeps what it saved.</summary>
public sealed class RunPrunedException(RunFolder folder, int epoch) : Exception($"Run {folder.Id} was pruned after epoch {epoch}.")
{
    public RunFolder Folder { get; } = folder;
    public int Epoch { get; } = epoch;
}
