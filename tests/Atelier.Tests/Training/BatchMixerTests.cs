using Atelier.Data;
using Atelier.Training;

namespace Atelier.Tests.Training;

public sealed class BatchMixerTests
{
    private const int H = 6, W = 5, Pixels = H * W;

    /// <summary>A batch of <paramref name="count"/> 6x5 images, image i filled with 100·i + pixel, labels i % 10.</summary>
    private static Batch MakeBatch(int count, int number = 0)
    {
        var batch = new Batch(count, H, W);
        batch.Prepare(number, count);
        for (int i = 0; i < count; i++)
        {
            batch.Labels[i] = i % 10;
            for (int p = 0; p < Pixels; p++) batch.Images[i * Pixels + p] = 100 * i + p;
        }
        return batch;
    }

    private static float Original(int image, int pixel) => 100 * image + pixel;

    [Theory]
    [InlineData(8)]
    [InlineData(7)]
    public void Mixup_blends_each_image_with_its_mirror_and_pairs_the_mirror_labels(int count)
    {
        var batch = MakeBatch(count);
        var mix = new BatchMixer(0.4f, 0f, 1f, count, H, W, seed: 3).Mix(batch, epoch: 1);
        Assert.NotNull(mix);
        float lambda = mix.Value.Lambda;
        Assert.InRange(lambda, 0f, 1f);
        for (int i = 0; i < count; i++)
        {
            int j = count - 1 - i;
            Assert.Equal(batch.Labels[j], mix.Value.Partners[i]);
            for (int p = 0; p < Pixels; p++)
                Assert.Equal(lambda * Original(i, p) + (1 - lambda) * Original(j, p), batch.Images[i * Pixels + p], 2e-3f);
        }
    }

    [Fact]
    public void CutMix_swaps_one_box_between_mirror_images_and_weights_the_loss_by_its_area()
    {
        int boxes = 0;
        for (int b = 0; b < 40; b++)
        {
            var batch = MakeBatch(6, number: b);
            var mix = new BatchMixer(0f, 1f, 1f, 6, H, W, seed: 11).Mix(batch, epoch: 2)!.Value;
            // Pixels that came from the mirror image: the same set for every image, a rectangle, 1 − λ of the image.
            var pasted = Enumerable.Range(0, Pixels).Where(p => batch.Images[p] != Original(0, p)).ToArray();
            for (int i = 0; i < 6; i++)
                for (int p = 0; p < Pixels; p++)
                    Assert.Equal(pasted.Contains(p) ? Original(5 - i, p) : Original(i, p), batch.Images[i * Pixels + p]);
            Assert.Equal(1f - (float)pasted.Length / Pixels, mix.Lambda, 1e-6f);
            if (pasted.Length == 0) continue;
            boxes++;
            int top = pasted.Min(p => p / W), bottom = pasted.Max(p => p / W), left = pasted.Min(p => p % W), right = pasted.Max(p => p % W);
            Assert.Equal((bottom - top + 1) * (right - left + 1), pasted.Length);
        }
        Assert.True(boxes > 20, $"Only {boxes} of 40 batches got a box.");
    }

    [Fact]
    public void The_same_seed_epoch_and_batch_mix_alike_and_another_batch_differently()
    {
        float Lambda(int number, int epoch, ulong seed) => new BatchMixer(1f, 1f, 1f, 8, H, W, seed).Mix(MakeBatch(8, number), epoch)!.Value.Lambda;
        Assert.Equal(Lambda(3, 2, 7), Lambda(3, 2, 7));
        var others = new[] { Lambda(4, 2, 7), Lambda(3, 3, 7), Lambda(3, 2, 8) };
        Assert.All(others, l => Assert.NotEqual(Lambda(3, 2, 7), l));
    }

    [Fact]
    public void Mix_prob_mixes_that_share_of_batches_and_zero_leaves_them_alone()
    {
        var mixer = new BatchMixer(0.2f, 1f, 0.3f, 8, H, W, seed: 5);
        int mixed = Enumerable.Range(0, 2000).Count(b => mixer.Mix(MakeBatch(8, b), epoch: 1) is not null);
        Assert.InRange(mixed, 520, 680);
        var never = new BatchMixer(0.2f, 0f, 0f, 8, H, W, seed: 5);
        var batch = MakeBatch(8);
        Assert.Null(never.Mix(batch, epoch: 1));
        Assert.Equal(Original(3, 4), batch.Images[3 * Pixels + 4]);
    }

    [Fact]
    public void A_batch_of_one_image_is_not_mixed()
    {
        Assert.Null(new BatchMixer(1f, 0f, 1f, 8, H, W, seed: 1).Mix(MakeBatch(1), epoch: 1));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void Lambda_follows_beta_alpha_alpha(double alpha)
    {
        var mixer = new BatchMixer((float)alpha, 0f, 1f, 2, H, W, seed: 9);
        var draws = Enumerable.Range(0, 20_000).Select(b => (double)mixer.Mix(MakeBatch(2, b), epoch: 1)!.Value.Lambda).ToArray();
        double mean = draws.Average(), variance = draws.Select(l => (l - mean) * (l - mean)).Average();
        Assert.Equal(0.5, mean, 0.01);
        Assert.Equal(1 / (4 * (2 * alpha + 1)), variance, 0.004);
        Assert.All(draws, l => Assert.InRange(l, 0, 1));
    }

    [Fact]
    public void Mismatched_batches_and_bad_settings_fail_with_a_sentence()
    {
        Assert.Contains("at most 4", Assert.Throws<ArgumentException>(() => new BatchMixer(1f, 0f, 1f, 4, H, W, 1).Mix(MakeBatch(6), 1)).Message);
        var wrongSize = new Batch(4, 3, 3);
        wrongSize.Prepare(0, 4);
        Assert.Contains("6x5 images", Assert.Throws<ArgumentException>(() => new BatchMixer(1f, 0f, 1f, 4, H, W, 1).Mix(wrongSize, 1)).Message);
        Assert.Contains("positive mixup or CutMix alpha", Assert.Throws<ArgumentException>(() => new BatchMixer(0f, 0f, 1f, 4, H, W, 1)).Message);
        Assert.Contains("probability", Assert.Throws<ArgumentException>(() => new BatchMixer(1f, 0f, 1.5f, 4, H, W, 1)).Message);
    }
}
