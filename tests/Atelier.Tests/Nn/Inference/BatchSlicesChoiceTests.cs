using Atelier.Nn.Inference;
using Atelier.Tests.Serialization.Onnx;
using static Atelier.Tests.Nn.Inference.InferenceCases;

namespace Atelier.Tests.Nn.Inference;

/// <summary>
/// The slice choice is made only for batches, only after enough images, and is one of the sizes timed. Alone: it keeps
/// both cores busy for seconds and sets the thread count, and beside it the Ctrl+C tests' signals came too late.
/// </summary>
[Collection("alone")]
public sealed class BatchSlicesChoiceTests
{
    [Fact]
    public void The_choice_waits_for_enough_batched_images_and_picks_a_timed_size()
    {
        WithThreads(2, () =>
        {
            var folded = InferenceFolding.Fold(ZooCases.Create("mlp", 0));
            var slices = new BatchSlices(folded);
            var single = Input(ZooCases.Pixels(1, seed: 10), 1);
            for (int i = 0; i < 2 * BatchSlices.ImagesBeforeChoice; i++) BatchSlicesTests.Logits(slices, single);
            Assert.Null(slices.Slice); // single images are not batches

            var pixels = ZooCases.Pixels(64, seed: 11);
            var batch = Input(pixels, 64);
            var whole = ZooCases.AtelierLogits(folded, pixels, 64);
            long images = 0;
            var deadline = DateTime.UtcNow.AddSeconds(BatchSlices.SecondsBeforeChoice + 20);
            while (slices.Slice is null && DateTime.UtcNow < deadline)
            {
                Assert.Equal(whole, BatchSlicesTests.Logits(slices, batch));
                images += 64;
            }
            Assert.NotNull(slices.Slice);
            Assert.True(images + 64 >= BatchSlices.ImagesBeforeChoice, $"chosen after {images} images");
            Assert.Contains(slices.Slice!.Value, BatchSlices.Sizes);
        });
    }
}
