using Atelier.Data;

namespace Atelier.Training;

/// <summary>
/// The three sets a run uses (train, validation held out of train, test) and the normalisation computed from the
/// training part, plus the loaders a run's options ask for.
/// </summary>
public sealed class DataSplits
{
    public required Dataset Train { get; init; }
    public required Dataset Validation { get; init; }
    public required Dataset Test { get; init; }
    public required Normalization Normalization { get; init; }

    public IReadOnlyList<string> ClassNames => Train.ClassNames;
    public float Mean => Normalization.Mean;
    public float Std => Normalization.Std;

    /// <summary>Splits <paramref name="fullTrain"/> as the options say (validation size, stratified, seed, train/test limits).</summary>
    public static DataSplits Create(Dataset fullTrain, Dataset fullTest, TrainOptions options)
    {
        if (options.ValSize >= fullTrain.Count)
            throw new ArgumentException($"--val-size {options.ValSize} leaves no training images: the training set has {fullTrain.Count}.");
        var (train, validation) = ValidationSplit.Split(fullTrain, options.ValSize, (ulong)options.Seed, options.Stratified);
        if (options.TrainSize > 0 && options.TrainSize < train.Count) train = train.Subset(Range(options.TrainSize), "train");
        var test = options.TestSize > 0 && options.TestSize < fullTest.Count ? fullTest.Subset(Range(options.TestSize), "test") : fullTest;
        return new DataSplits { Train = train, Validation = validation, Test = test, Normalization = Normalization.Compute(train) };
    }

    public DataLoader TrainLoader(TrainOptions options) =>
        new(Train, options.BatchSize, Normalization, shuffle: true, seed: (ulong)options.Seed, augment: Augmentation(options));

    public DataLoader EvalLoader(Dataset dataset, int batchSize) => new(dataset, Math.Max(batchSize, 256), Normalization);

    public static AugmentOptions Augmentation(TrainOptions o) => !o.Augment ? AugmentOptions.None : new AugmentOptions
    {
        CropPadding = o.CropPadding,
        FlipProbability = o.Flip ? 0.5f : 0f,
        RotationDegrees = o.Rotate,
        ErasingProbability = o.Erase,
    };

    private static int[] Range(int n)
    {
        var indices = new int[n];
        for (int i = 0; i < n; i++) indices[i] = i;
        return indices;
    }
}
