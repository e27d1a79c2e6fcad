using Atelier.Nn.Inference;
using Atelier.Tensors;
using Atelier.Tests.Serialization.Onnx;
using static Atelier.Tests.Nn.Inference.InferenceCases;

namespace Atelier.Tests.Nn.Inference;

/// <summary>
/// A batch in slices gives, row for row, the model's own bits for each slice, and the slices are as even as can be.
/// </summary>
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

    internal static float[] Logits(BatchSlices slices, Tensor input)
    {
        using (Autograd.Tape.NoGrad()) return slices.Forward(input).Span.ToArray();
    }
}
