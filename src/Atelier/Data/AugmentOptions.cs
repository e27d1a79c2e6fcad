namespace Atelier.Data;

/// <summary>
/// Which random transforms to apply to training images, torchvision style; each is off at its neutral value.
/// Applied in this order on the raw image (as pixel/255, before normalisation): crop with padding, horizontal flip,
/// affine (rotation, translation, scale), random erasing.
/// </summary>
public sealed record AugmentOptions
{
    /// <summary>RandomCrop(size, padding=p): pad p black pixels on each side, crop back to the original size at a random place. 0 = off.</summary>
    public int CropPadding { get; init; }

    /// <summary>RandomHorizontalFlip(p). 0 = off.</summary>
    public float FlipProbability { get; init; }

    /// <summary>RandomAffine degrees: rotation drawn uniformly in [−d, d]. 0 = off.</summary>
    public float RotationDegrees { get; init; }

    /// <summary>RandomAffine translate: shift up to this fraction of the width (x) and height (y). 0 = off.</summary>
    public float TranslateFraction { get; init; }

    /// <summary>RandomAffine scale range; (1, 1) = off.</summary>
    public float ScaleMin { get; init; } = 1f;
    public float ScaleMax { get; init; } = 1f;

    /// <summary>RandomErasing(p, scale, ratio, value=0). 0 = off.</summary>
    public float ErasingProbability { get; init; }
    public float ErasingScaleMin { get; init; } = 0.02f;
    public float ErasingScaleMax { get; init; } = 0.33f;
    public float ErasingRatioMin { get; init; } = 0.3f;
    public float ErasingRatioMax { get; init; } = 3.3f;

    /// <summary>No transform at all.</summary>
    public static AugmentOptions None { get; } = new();

    /// <summary>What --augment turns on: crop with padding 2 and horizontal flip; rotation and erasing stay off.</summary>
    public static AugmentOptions Default { get; } = new() { CropPadding = 2, FlipProbability = 0.5f };

    public bool HasAffine => RotationDegrees != 0 || TranslateFraction != 0 || ScaleMin != 1 || ScaleMax != 1;

    public bool IsEnabled => CropPadding > 0 || FlipProbability > 0 || HasAffine || ErasingProbability > 0;

    /// <summary>Throws <see cref="ArgumentException"/> with a one-sentence message on an out-of-range setting.</summary>
    public void Validate()
    {
        if (CropPadding < 0) throw new ArgumentException($"The crop padding must be 0 or more, got {CropPadding}.");
        CheckProbability(FlipProbability, "flip");
        CheckProbability(ErasingProbability, "erasing");
        if (RotationDegrees < 0 || RotationDegrees > 180) throw new ArgumentException($"The rotation must be between 0 and 180 degrees, got {RotationDegrees}.");
        if (TranslateFraction < 0 || TranslateFraction > 1) throw new ArgumentException($"The translation must be a fraction between 0 and 1, got {TranslateFraction}.");
        if (ScaleMin <= 0 || ScaleMax < ScaleMin) throw new ArgumentException($"The scale range must satisfy 0 < min <= max, got ({ScaleMin}, {ScaleMax}).");
        if (ErasingScaleMin <= 0 || ErasingScaleMax < ErasingScaleMin || ErasingScaleMax > 1)
            throw new ArgumentException($"The erasing scale range must satisfy 0 < min <= max <= 1, got ({ErasingScaleMin}, {ErasingScaleMax}).");
        if (ErasingRatioMin <= 0 || ErasingRatioMax < ErasingRatioMin)
            throw new ArgumentException($"The erasing ratio range must satisfy 0 < min <= max, got ({ErasingRatioMin}, {ErasingRatioMax}).");
    }

    private static void CheckProbability(float p, string what)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"The {what} probability must be between 0 and 1, got {p}.");
    }
}
