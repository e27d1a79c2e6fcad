namespace Atelier.Training;

/// <summary>Counts of (actual, predicted) class pairs; row = actual class, column = predicted class (sklearn's layout).</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;

    public ConfusionMatrix(int classes)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A confusion matrix needs at least one class.");
        Classes = classes;
        counts = new long[classes * classes];
    }

    public int Classes { get; }

    /// <summary>Number of samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[Index(actual, predicted)];

    public long Total { get; private set; }

    public void Add(int actual, int predicted)
    {
        counts[Index(actual, predicted)]++;
        Total++;
    }

    public void Add(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        if (actual.Length != predicted.Length)
            throw new ArgumentException($"Got {actual.Length} actual labels but {predicted.Length} predictions; they must pair up one to one.");
        for (int i = 0; i < actual.Length; i++) Add(actual[i], predicted[i]);
    }

    /// <summary>Adds another matrix's counts (e.g. from another worker or batch).</summary>
    public void Add(ConfusionMatrix other)
    {
        if (other.Classes != Classes) throw new ArgumentException($"Cannot add a {other.Classes}-class confusion matrix to a {Classes}-class one.");
        for (int i = 0; i < counts.Length; i++) counts[i] += other.counts[i];
        Total += other.Total;
    }

    public void Clear()
    {
        Array.Clear(counts);
        Total = 0;
    }

    /// <summary>Samples whose actual class is <paramref name="actual"/> (the class's support).</summary>
    public long RowSum(int actual)
    {
        long s = 0;
        for (int p = 0; p < Classes; p++) s += this[actual, p];
        return s;
    }

    /// <summary>Samples predicted as <paramref name="predicted"/>.</summary>
    public long ColumnSum(int predicted)
    {
        long s = 0;
        for (int a = 0; a < Classes; a++) s += this[a, predicted];
        return s;
    }

    public long Correct
    {
        get
        {
            long s = 0;
            for (int c = 0; c < Classes; c++) s += this[c, c];
            return s;
        }
    }

    /// <summary>Copy of the counts as [actual, predicted].</summary>
    public long[,] ToArray()
    {
        var a = new long[Classes, Classes];
        for (int i = 0; i < Classes; i++)
            for (int j = 0; j < Classes; j++) a[i, j] = this[i, j];
        return a;
    }

    /// <summary>Each row divided by its sum (sklearn's normalize="true"); rows without samples stay 0.</summary>
    public double[,] RowNormalized()
    {
        var a = new double[Classes, Classes];
        for (int i = 0; i < Classes; i++)
        {
            long row = RowSum(i);
            if (row == 0) continue;
            for (int j = 0; j < Classes; j++) a[i, j] = (double)this[i, j] / row;
        }
        return a;
    }

    public ClassificationReport Report() => new(this);

    private int Index(int actual, int predicted)
    {
        if ((uint)actual >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"Class labels must lie in [0, {Classes}).");
        if ((uint)predicted >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"Class labels must lie in [0, {Classes}).");
        return actual * Classes + predicted;
    }
}
