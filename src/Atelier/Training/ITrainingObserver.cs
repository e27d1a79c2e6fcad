namespace Atelier.Training;

/// <summary>What a trainer tells whoever watches it (the CLI's progress bars, the web dashboard, tests).</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int epochs, int batches) { }

    /// <summary>After each batch: running means over the epoch so far.</summary>
    void BatchEnded(int epoch, int batch, double loss, double accuracy, double imagesPerSecond) { }

    void EpochEnded(EpochMetrics metrics, bool isBest) { }

    void Message(string text) { }
}
