namespace Atelier.Training;

/// <summary>Top-k accuracy over a batch of scores (logits or probabilities), as torch's topk-based accuracy.</summary>
public static class TopKAccuracy
{
    /// <summary>
    /// Number of rows whose true label ranks among the k highest scores. scores: [n, classes] row-major; labels: [n].
    /// Ties rank the lower class index first (a stable descending sort).
    /// </summary>
    public static int CountCorrect(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels, int k)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "Need at least one class.");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        if (scores.Length != labels.Length * classes)
            throw new ArgumentException($"Scores hold {scores.Length} values but {labels.Length} labels × {classes} classes were expected.");
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int y = labels[i];
            if ((uint)y >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), y, $"Class labels must lie in [0, {classes}).");
            var row = scores.Slice(i * classes, classes);
            float s = row[y];
            int rank = 0;
            for (int j = 0; j < classes; j++)
                if (row[j] > s || (row[j] == s && j < y)) rank++;
            if (rank < k) correct++;
        }
        return correct;
    }

    /// <summary>Fraction of rows whose true label is among the k highest scores (0 for an empty batch).</summary>
    public static double Compute(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels, int k)
        => labels.Length == 0 ? 0 : (double)CountCorrect(scores, classes, labels, k) / labels.Length;
}
