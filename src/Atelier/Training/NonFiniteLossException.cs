namespace Atelier.Training;

/// <summary>The loss became NaN or infinite: training cannot go on from here.</summary>
public sealed class NonFiniteLossException(int epoch, int batch, float loss)
    : Exception($"The loss became {(float.IsNaN(loss) ? "NaN" : "infinite")} at epoch {epoch}, batch {batch}: lower the learning rate (--lr) or clip gradients (--clip-norm); the best checkpoint so far is kept.")
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
}
