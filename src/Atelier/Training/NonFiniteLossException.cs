namespace Atelier.Training;

/// <summary>The loss became NaN or infinite: training cannot go on from here.</summary>
/// <param name="epoch">the epoch the loss went bad in.</param>
/// <param name="batch">the batch within that epoch.</param>
/// <param name="loss">the bad value (NaN or an infinity).</param>
/// <param name="kept">what was saved before, as a clause ("the best checkpoint, epoch 3, is kept in ..."); null when the trainer does not know.</param>
public sealed class NonFiniteLossException(int epoch, int batch, float loss, string? kept = null)
    : Exception($"The loss became {(float.IsNaN(loss) ? "NaN" : "infinite")} at epoch {epoch}, batch {batch}: lower the learning rate (--lr) or clip gradients (--clip-norm)"
        + (kept is null ? "." : $"; {kept}."))
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
    public float Loss { get; } = loss;

    /// <summary>The same failure, saying what the run saved before it.</summary>
    public NonFiniteLossException Saying(string kept) => new(Epoch, Batch, Loss, kept);
}
