using Atelier.Tensors;

namespace Atelier.Data;

/// <summary>
/// Holds out a validation set drawn at random (seeded) from the training set, optionally stratified so each class
/// keeps its share. Both parts are views (index arrays sorted ascending); no image is copied.
/// </summary>
public static class ValidationSplit
{
    public const int DefaultSize = 10000;

    public static (Dataset Train, Dataset Validation) Split(Dataset train, int validationSize, ulong seed, bool stratified = false)
    {
        if (validationSize < 0 || validationSize >= train.Count)
            throw new ArgumentException(
                $"The validation size must be between 0 and {train.Count - 1} (the training set has {train.Count} images), got {validationSize}.");
        var isValidation = new bool[train.Count];
        var rng = new Rng(seed);
        if (stratified) MarkStratified(train, validationSize, rng, isValidation);
        else
        {
            var order = Permutation(train.Count, rng);
            for (int k = 0; k < validationSize; k++) isValidation[order[k]] = true;
        }
        var trainIndices = new int[train.Count - validationSize];
        var validationIndices = new int[validationSize];
        int t = 0, v = 0;
        for (int i = 0; i < train.Count; i++)
        {
            if (isValidation[i]) validationIndices[v++] = i;
            else trainIndices[t++] = i;
        }
        return (train.Subset(trainIndices, "train"), train.Subset(validationIndices, "validation"));
    }

    /// <summary>Per class, round(size·n_c/N) samples, the rounding settled by largest remainder so the sizes add up exactly.</summary>
    private static void MarkStratified(Dataset train, int validationSize, Rng rng, bool[] isValidation)
    {
        var counts = train.ClassCounts();
        var quota = new int[counts.Length];
        var remainder = new double[counts.Length];
        int assigned = 0;
        for (int c = 0; c < counts.Length; c++)
        {
            double exact = (double)validationSize * counts[c] / train.Count;
            quota[c] = (int)Math.Floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }
        for (; assigned < validationSize; assigned++)
        {
            int best = -1;
            for (int c = 0; c < counts.Length; c++)
                if (quota[c] < counts[c] && (best < 0 || remainder[c] > remainder[best])) best = c;
            quota[best]++;
            remainder[best] = -1;
        }
        // Shuffle all indices once, then walk them taking each class's first quota[c]: a random sample per class.
        var order = Permutation(train.Count, rng);
        var taken = new int[counts.Length];
        foreach (int i in order)
        {
            int c = train.Label(i);
            if (taken[c] < quota[c]) { taken[c]++; isValidation[i] = true; }
        }
    }

    private static int[] Permutation(int n, Rng rng)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        rng.Shuffle<int>(order);
        return order;
    }
}
