using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class AugmenterTests
{
    private static float[] Image(int sample = 0)
    {
        var bytes = TestData.FashionTrain.Image(sample);
        var image = new float[784];
        for (int i = 0; i < 784; i++) image[i] = bytes[i] / 255f;
        return image;
    }

    private static float[] Apply(AugmentOptions options, float[] image, int epoch, int sample, ulong seed = 1)
    {
        var copy = (float[])image.Clone();
        new Augmenter(options, 28, 28, seed).Apply(copy, new float[784], epoch, sample);
        return copy;
    }

    [Fact]
    public void Crop_with_padding_zero_and_no_other_transform_is_the_identity()
    {
        var image = Image();
        Assert.Equal(image, Apply(new AugmentOptions { CropPadding = 0 }, image, 3, 4));
        Assert.Equal(image, Apply(AugmentOptions.None, image, 3, 4));
    }

    [Fact]
    public void Flip_is_an_exact_mirror()
    {
        var image = Image();
        var flipped = Apply(new AugmentOptions { FlipProbability = 1 }, image, 0, 0);
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) Assert.Equal(image[y * 28 + x], flipped[y * 28 + 27 - x]);
    }

    [Fact]
    public void Crop_shifts_by_at_most_the_padding_and_fills_black()
    {
        var image = Image();
        var options = new AugmentOptions { CropPadding = 2 };
        int moved = 0;
        for (int s = 0; s < 20; s++)
        {
            var shifted = Apply(options, image, 0, s);
            bool found = false;
            for (int dy = -2; dy <= 2 && !found; dy++)
                for (int dx = -2; dx <= 2 && !found; dx++)
                    found = Matches(image, shifted, dx, dy);
            Assert.True(found);
            if (!shifted.AsSpan().SequenceEqual(image)) moved++;
        }
        Assert.True(moved > 10);
    }

    private static bool Matches(float[] image, float[] shifted, int dx, int dy)
    {
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                int sy = y + dy, sx = x + dx;
                float expected = sy is >= 0 and < 28 && sx is >= 0 and < 28 ? image[sy * 28 + sx] : 0f;
                if (shifted[y * 28 + x] != expected) return false;
            }
        return true;
    }

    [Fact]
    public void Same_seed_epoch_and_sample_give_the_same_result()
    {
        var options = new AugmentOptions
        {
            CropPadding = 3, FlipProbability = 0.5f, RotationDegrees = 15, TranslateFraction = 0.1f,
            ScaleMin = 0.9f, ScaleMax = 1.1f, ErasingProbability = 0.5f,
        };
        var image = Image();
        var a = Apply(options, image, 2, 17);
        Assert.Equal(a, Apply(options, image, 2, 17));
        Assert.NotEqual(a, Apply(options, image, 3, 17));
        Assert.NotEqual(a, Apply(options, image, 2, 18));
        Assert.NotEqual(a, Apply(options, image, 2, 17, seed: 2));
        Assert.Equal(784, a.Length);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Rotation_keeps_the_range_and_moves_pixels()
    {
        var image = Image();
        var rotated = Apply(new AugmentOptions { RotationDegrees = 30 }, image, 0, 1);
        Assert.All(rotated, v => Assert.InRange(v, 0f, 1f));
        Assert.NotEqual(image, rotated);
        // A 0-degree, scale-1 affine is the identity: bilinear sampling at pixel centres.
        Assert.Equal(image, Apply(new AugmentOptions { ScaleMin = 1f, ScaleMax = 1f, RotationDegrees = 0 }, image, 0, 1));
    }

    [Fact]
    public void Scale_below_one_shrinks_the_object()
    {
        var image = Image();
        var small = Apply(new AugmentOptions { ScaleMin = 0.5f, ScaleMax = 0.5f }, image, 0, 0);
        Assert.True(small.Sum() < image.Sum() * 0.4f);
        Assert.Equal(0f, small[0]);
    }

    [Fact]
    public void Erasing_blacks_out_one_rectangle()
    {
        var image = new float[784];
        Array.Fill(image, 0.5f);
        var erased = Apply(new AugmentOptions { ErasingProbability = 1 }, image, 0, 5);
        int zeros = erased.Count(v => v == 0);
        Assert.InRange(zeros, 1, (int)(784 * 0.34f));
        int top = 28, bottom = -1, left = 28, right = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (erased[y * 28 + x] == 0) { top = Math.Min(top, y); bottom = Math.Max(bottom, y); left = Math.Min(left, x); right = Math.Max(right, x); }
        Assert.Equal((bottom - top + 1) * (right - left + 1), zeros);
    }

    [Fact]
    public void Default_is_crop_two_and_flip()
    {
        Assert.Equal(2, AugmentOptions.Default.CropPadding);
        Assert.Equal(0.5f, AugmentOptions.Default.FlipProbability);
        Assert.False(AugmentOptions.Default.HasAffine);
        Assert.Equal(0f, AugmentOptions.Default.ErasingProbability);
        Assert.False(AugmentOptions.None.IsEnabled);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Augmenter(new AugmentOptions { FlipProbability = 2 }, 28, 28, 0));
        Assert.Throws<ArgumentException>(() => new Augmenter(new AugmentOptions { ScaleMin = 0 }, 28, 28, 0));
    }
}
