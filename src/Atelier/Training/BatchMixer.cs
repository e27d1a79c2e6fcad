using System.Numerics.Tensors;
using Atelier.Data;

namespace Atelier.Training;

/// <summary>What a mixed batch is trained against: λ·loss(labels) + (1 − λ)·loss(partners).</summary>
public readonly record struct BatchMix(float Lambda, int[] Partners);

/// <summary>
/// Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019) of a training batch in place, as timm's Mixup in its batch
/// mode: one λ ~ Beta(α, α) per batch, each image paired with its mirror in the batch (image i with n − 1 − i; the
/// loader has shuffled, so pairs are random), a batch mixed with probability <c>mix-prob</c>, and with both on, mixup or
/// CutMix at even odds. CutMix pastes a box of area about (1 − λ)·H·W centred anywhere (clipped at the edges, λ then
/// recomputed from the box). Draws depend only on (seed, epoch, batch number), so a resumed run mixes as an
/// uninterrupted one, whatever the thread count.
/// </summary>
public sealed class BatchMixer
{
    // Keeps the mixer's draws apart from the augmenter's, which use the same seed with (epoch, sample).
    private const ulong Stream = 0x6D69787570UL; // "mixup"

    private readonly float mixupAlpha, cutMixAlpha, probability;
    private readonly ulong seed;
    private readonly int[] partners;
    private readonly float[] scratch;

    public BatchMixer(float mixupAlpha, float cutMixAlpha, float probability, int batchSize, int height, int width, ulong seed)
    {
        if (!(mixupAlpha >= 0 && cutMixAlpha >= 0 && mixupAlpha + cutMixAlpha > 0))
            throw new ArgumentException($"A batch mixer needs a positive mixup or CutMix alpha, got {mixupAlpha} and {cutMixAlpha}.");
        if (!(probability is >= 0 and <= 1)) throw new ArgumentException($"The mixing probability must be in [0, 1], got {probability}.");
        this.mixupAlpha = mixupAlpha;
        this.cutMixAlpha = cutMixAlpha;
        this.probability = probability;
        this.seed = SampleRandom.Mix(seed ^ Stream);
        Height = height;
        Width = width;
        partners = new int[batchSize];
        scratch = new float[height * width];
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>The options' mixer, or null when neither --mixup nor --cutmix is on.</summary>
    public static BatchMixer? For(TrainOptions options, int height, int width) =>
        options.Mixup > 0 || options.CutMix > 0
            ? new BatchMixer(options.Mixup, options.CutMix, options.MixProbability, options.BatchSize, height, width, (ulong)options.Seed)
            : null;

    /// <summary>
    /// Mixes <paramref name="batch"/>'s images in place (epoch from 1) and returns the loss's weight and partner labels,
    /// or null when this batch is left alone. The partner array is the mixer's own, valid until the next call.
    /// </summary>
    public BatchMix? Mix(Batch batch, int epoch)
    {
        int n = batch.Count, pixels = Height * Width;
        if (n > partners.Length) throw new ArgumentException($"The mixer was made for batches of at most {partners.Length}, got {n}.");
        if (batch.Images.Shape.Size != (long)n * pixels)
            throw new ArgumentException($"The mixer was made for {Height}x{Width} images, got a batch of shape {batch.Images.Shape}.");
        var random = new SampleRandom(seed, epoch, batch.Number);
        if (n < 2 || random.NextFloat() >= probability) return null;
        bool cutMix = mixupAlpha == 0 || (cutMixAlpha > 0 && random.NextFloat() < 0.5f);
        float alpha = cutMix ? cutMixAlpha : mixupAlpha;
        float lambda = (float)random.NextBeta(alpha, alpha);
        var images = batch.Images.Span;
        if (cutMix) lambda = PasteBoxes(images, n, lambda, ref random);
        else Blend(images, n, pixels, lambda);
        for (int i = 0; i < n; i++) partners[i] = batch.Labels[n - 1 - i];
        return new BatchMix(lambda, partners);
    }

    // Image i becomes λ·x_i + (1 − λ)·x_j and image j λ·x_j + (1 − λ)·x_i, for each mirror pair (i, j = n − 1 − i).
    private void Blend(Span<float> images, int n, int pixels, float lambda)
    {
        var original = scratch.AsSpan(0, pixels);
        for (int i = 0, j = n - 1; i < j; i++, j--)
        {
            var a = images.Slice(i * pixels, pixels);
            var b = images.Slice(j * pixels, pixels);
            a.CopyTo(original);
            TensorPrimitives.Multiply(a, lambda, a);
            TensorPrimitives.MultiplyAdd(b, 1 - lambda, a, a);
            TensorPrimitives.Multiply(b, lambda, b);
            TensorPrimitives.MultiplyAdd(original, 1 - lambda, b, b);
        }
    }

    // timm's rand_bbox: a box of sides ⌊H·√(1 − λ)⌋ by ⌊W·√(1 − λ)⌋ centred on a uniform pixel, clipped; the pairs swap it.
    // Returns λ for the box actually pasted: one minus its share of the image.
    private float PasteBoxes(Span<float> images, int n, float lambda, ref SampleRandom random)
    {
        double ratio = Math.Sqrt(1 - lambda);
        int cutH = (int)(Height * ratio), cutW = (int)(Width * ratio);
        int cy = random.NextInt(Height), cx = random.NextInt(Width);
        int top = Math.Clamp(cy - cutH / 2, 0, Height), bottom = Math.Clamp(cy + cutH / 2, 0, Height);
        int left = Math.Clamp(cx - cutW / 2, 0, Width), right = Math.Clamp(cx + cutW / 2, 0, Width);
        int pixels = Height * Width, boxWidth = right - left;
        if (boxWidth > 0)
            for (int i = 0, j = n - 1; i < j; i++, j--)
                for (int y = top; y < bottom; y++)
                {
                    var a = images.Slice(i * pixels + y * Width + left, boxWidth);
                    var b = images.Slice(j * pixels + y * Width + left, boxWidth);
                    var row = scratch.AsSpan(0, boxWidth);
                    a.CopyTo(row);
                    b.CopyTo(a);
                    row.CopyTo(b);
                }
        return 1f - (float)((bottom - top) * boxWidth) / pixels;
    }
}
