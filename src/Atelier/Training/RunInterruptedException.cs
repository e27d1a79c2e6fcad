namespace Atelier.Training;

/// <summary>
/// A run stopped by the user (Ctrl+C, SIGTERM) after its folder was made: which run, and how far it got, so the
/// message can say exactly what is saved and how to continue.
/// </summary>
public sealed class RunInterruptedException(RunFolder folder, int completedEpochs, int epochs, Exception inner)
    : OperationCanceledException(completedEpochs == 0
        ? $"Interrupted before the first epoch ended, so no epoch of run {folder.Id} is saved; `atelier train --resume {folder.Path}` starts it again from epoch 1."
        : $"Interrupted: run {folder.Id} is saved after epoch {completedEpochs} of {epochs}; continue it with `atelier train --resume {folder.Path}`.", inner)
{
    public RunFolder Folder { get; } = folder;
    public int CompletedEpochs { get; } = completedEpochs;
}
