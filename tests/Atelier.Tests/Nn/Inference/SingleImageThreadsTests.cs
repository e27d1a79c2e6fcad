using Atelier.Kernels;
using Atelier.Nn.Inference;
using Atelier.Tensors;
using Atelier.Tests.Serialization.Onnx;
using static Atelier.Tests.Nn.Inference.InferenceCases;

namespace Atelier.Tests.Nn.Inference;

/// <summary>
/// The single-image thread choice changes no bit of any output, is made only for single images, only after enough
/// of them (so a one-off prediction is not timed), and only where there is a pool to choose against.
/// </summary>
[Collection("Workers.ThreadCount")]
public sealed class SingleImageThreadsTests
{
    [Theory]
    [InlineData("resnet-small")]
    [InlineData("cnn-deep-bn")]
    public void Single_images_give_the_model_s_own_bits_before_and_after_the_choice(string name)
    {
        WithThreads(2, () =>
        {
            var folded = InferenceFolding.Fold(ZooCases.Create(name, 0));
            var predictor = new SingleImageThreads(folded);
            var input = Input(ZooCases.Pixels(1, seed: 5), 1);
            var expected = ZooCases.AtelierLogits(folded, ZooCases.Pixels(1, seed: 5), 1);
            var deadline = DateTime.UtcNow.AddSeconds(SingleImageThreads.SecondsBeforeChoice + 10);
            int calls = 0;
            while (predictor.Alone is null && DateTime.UtcNow < deadline)
            {
                Assert.Equal(expected, Logits(predictor, input));
                calls++;
            }
            Assert.NotNull(predictor.Alone);
            Assert.True(calls > SingleImageThreads.CallsBeforeChoice, $"chosen after {calls} single images");
            Assert.Equal(expected, Logits(predictor, input));
            Assert.Equal(2, Workers.ThreadCount); // the choice holds only while a single image runs
        });
    }

    [Fact]
    public void Batches_and_a_pool_of_one_are_never_timed()
    {
        var folded = InferenceFolding.Fold(ZooCases.Create("cnn", 0));
        WithThreads(2, () =>
        {
            var predictor = new SingleImageThreads(folded);
            var batch = Input(ZooCases.Pixels(3, seed: 6), 3);
            var expected = ZooCases.AtelierLogits(folded, ZooCases.Pixels(3, seed: 6), 3);
            for (int i = 0; i < 2 * SingleImageThreads.CallsBeforeChoice; i++) Assert.Equal(expected, Logits(predictor, batch));
            Assert.Null(predictor.Alone);
        });
        WithThreads(1, () =>
        {
            var predictor = new SingleImageThreads(folded);
            var single = Input(ZooCases.Pixels(1, seed: 7), 1);
            for (int i = 0; i < 2 * SingleImageThreads.CallsBeforeChoice; i++) Logits(predictor, single);
            Assert.Null(predictor.Alone);
        });
    }

    private static float[] Logits(SingleImageThreads predictor, Tensor input)
    {
        using (Autograd.Tape.NoGrad()) return predictor.Forward(input).Span.ToArray();
    }
}
