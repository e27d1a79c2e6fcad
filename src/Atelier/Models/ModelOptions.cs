namespace Atelier.Models;

/// <summary>What a zoo model is built for: input size, classes, and the switches a study may turn.</summary>
public sealed record ModelOptions
{
    public int Channels { get; init; } = 1;
    public int Height { get; init; } = 28;
    public int Width { get; init; } = 28;
    public int Classes { get; init; } = 10;

    /// <summary>Dropout rate for models that have dropout; null keeps the model's own rate (as in its report).</summary>
    public float? Dropout { get; init; }

    /// <summary>False builds the model without its batch-norm layers (for ablations); true keeps them.</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>
    /// Side of the square patches a fully connected model reads the image as (report 002's "patching"); 0 reads
    /// the whole image. Models that are not fully connected refuse it.
    /// </summary>
    public int Patch { get; init; }

    public int Features => Channels * Height * Width;
}
