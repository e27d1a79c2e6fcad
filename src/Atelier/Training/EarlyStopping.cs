namespace Atelier.Training;

/// <summary>
/// Keras' EarlyStopping: stop after <see cref="Patience"/> epochs without an improvement of the monitored value
/// (validation loss, or validation accuracy when <paramref name="maximize"/>) of at least <see cref="MinDelta"/>;
/// the best epoch's weights are the ones kept (restore_best_weights=True).
/// </summary>
public sealed class EarlyStopping(int patience, double minDelta, bool maximize = false)
{
    public int Patience { get; } = patience;
    public double MinDelta { get; } = minDelta;
    public double BestLoss { get; private set; } = double.PositiveInfinity;
    public int BestEpoch { get; private set; } = -1;
    public int EpochsWithoutImprovement { get; private set; }

    /// <summary>Records an epoch's monitored value; returns true when it is the best so far.</summary>
    public bool Observe(int epoch, double value)
    {
        // Kept as a loss (smaller is better) so the state stays one number: accuracy is stored negated.
        double valLoss = maximize ? -value : value;
        if (valLoss < BestLoss - MinDelta || BestEpoch < 0)
        {
            (BestLoss, BestEpoch, EpochsWithoutImprovement) = (valLoss, epoch, 0);
            return true;
        }
        EpochsWithoutImprovement++;
        return false;
    }

    public bool ShouldStop => Patience > 0 && EpochsWithoutImprovement >= Patience;

    public void Restore(double bestLoss, int bestEpoch, int epochsWithoutImprovement) =>
        (BestLoss, BestEpoch, EpochsWithoutImprovement) = (bestLoss, bestEpoch, epochsWithoutImprovement);
}
