using Atelier.Nn.Inference;
using Atelier.Tensors;
using Atelier.Tests.Serialization.Onnx;
using static Atelier.Tests.Nn.Inference.InferenceCases;

namespace Atelier.Tests.Nn.Inference;

/// <summary>
/// A batch in slices gives, row for row, the model's own bits for each slice; the slices are as even as can be; the
/// choice is made only for batches, only after enough images, and is one of the sizes timed.
/// </summary>
[Collection("Workers.ThreadCount")]
public sealed class BatchSlicesTests
{
    [Theory]
    [InlineData("resnet-small", 37, 16)] // 13, 12, 12
    [InlineData("cnn-deep-bn", 64, 16)]  // 16 x 4
    [InlineData("mlp-bn", 20, 16)]       // 10, 10
    public void A_sliced_batch_holds_each_slice_s_own_outputs(string name, int batch, int slice)
    {
        var folded = InferenceFolding.Fold(ZooCases.Create(name, 0));
        var slices = new BatchSlices(folded) { Slice = slice };
        var pixels = ZooCases.Pixels(batch, seed: 8);
        var actual = Logits(slices, Input(pixels, batch));

        int parts = (batch + slice - 1) / slice, classes = actual.Length / batch;
        var expected = new List<float>();
        for (int k = 0, start = 0; k < parts; k++)
        {
            int count = batch / parts + (k < batch % parts ? 1 : 0);
            Assert.InRange(count, 1, slice);
            expected.AddRange(ZooCases.AtelierLogits(folded, pixels.AsSpan(start * 784, count * 784).ToArray(), count));
            start += count;
        }
        Assert.Equal(batch * classes, expected.Count);
        Assert.Equal(expected.ToArray(), actual);
    }

    [Fact]
    public void A_batch_no_larger_than_the_slice_runs_whole()
    {
        var folded = InferenceFolding.Fold(ZooCases.Create("cnn", 0));
        var slices = new BatchSlices(folded) { Slice = 16 };
        var pixels = ZooCases.Pixels(16, seed: 9);
        Assert.Equal(ZooCases.AtelierLogits(folded, pixels, 16), Logits(slices, Input(pixels, 16)));
    }

    [Fact]
    public void The_choice_waits_for_enough_batched_images_and_picks_a_timed_size()
    {
        WithThreads(2, () =>
        {
            var folded = InferenceFolding.Fold(ZooCases.Create("mlp", 0));
            var slices = new BatchSlices(folded);
            var single = Input(ZooCases.Pixels(1, seed: 10), 1);
            for (int i = 0; i < 2 * BatchSlices.ImagesBeforeChoice; i++) Logits(slices, single);
            Assert.Null(slices.Slice); // single images are not batches

            var pixels = ZooCases.Pixels(64, seed: 11);
            var batch = Input(pixels, 64);
            var whole = ZooCases.AtelierLogits(folded, pixels, 64);
            long images = 0;
            var deadline = DateTime.UtcNow.AddSeconds(BatchSlices.SecondsBeforeChoice + 20);
            while (slices.Slice is null && DateTime.UtcNow < deadline)
            {
                Assert.Equal(whole, Logits(slices, batch));
                images += 64;
            }
            Assert.NotNull(slices.Slice);
            Assert.True(images + 64 >= BatchSlices.ImagesBeforeChoice, $"chosen after {images} images");
            Assert.Contains(slices.Slice!.Value, BatchSlices.Sizes);
        });
    }

    private static float[] Logits(BatchSlices slices, Tensor input)
    {
        using (Autograd.Tape.NoGrad()) return slices.Forward(input).Span.ToArray();
    }
}
