namespace Atelier.Training;

/// <summary>The short version of a study's run (`--scale S`): fewer epochs and training images, for demos and tests.</summary>
public static class ScaledOptions
{
    public static void Apply(TrainOptions options, double scale)
    {
        if (scale >= 1) return;
        options.Epochs = Math.Max(1, (int)Math.Ceiling(options.Epochs * scale));
        int available = 60_000 - options.ValSize;
        options.TrainSize = Math.Max(options.BatchSize, (int)(available * scale));
        // A study that trains on every training image (val-size 0, as report 002 did) keeps doing so when shortened.
        if (options.ValSize > 0) options.ValSize = Math.Max(100, (int)(options.ValSize * scale));
        options.TestSize = Math.Max(500, (int)(10_000 * scale));
    }
}
