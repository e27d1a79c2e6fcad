using Atelier.Nn;
using Atelier.Nn.Inference;
using Atelier.Tensors;
using Atelier.Tests.Serialization.Onnx;
using Xunit.Abstractions;

namespace Atelier.Tests.Nn.Inference;

/// <summary>
/// Every zoo model folded for inference gives the eval-mode model's logits (within 1e-4, relative above 1) at batch 1
/// and 7, with batch-norm statistics far from 0/1 so a wrong fold shows; and what the fold removes is really gone.
/// </summary>
public sealed class InferenceFoldingTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_folded_zoo_model_gives_the_eval_mode_logits_at_batch_1_7_and_9(string label, string model, int patch)
    {
        var reference = ZooCases.Create(model, patch);
        var folded = InferenceFolding.Fold(ZooCases.Create(model, patch));
        Assert.False(folded.Training);
        float worst = 0;
        // 9 rows: linear layers take their once-packed weights, 3x3 maps Winograd's tiles.
        foreach (int batch in (int[])[1, 7, 9, 1])
        {
            var pixels = ZooCases.Pixels(batch, seed: batch);
            var expected = ZooCases.AtelierLogits(reference, pixels, batch);
            var actual = ZooCases.AtelierLogits(folded, pixels, batch);
            Assert.True(expected.Max() - expected.Min() > 1e-3f, $"{label}: the logits are all alike");
            for (int i = 0; i < expected.Length; i++)
            {
                float difference = MathF.Abs(actual[i] - expected[i]);
                worst = MathF.Max(worst, difference);
                Assert.True(difference <= Tolerance * MathF.Max(1f, MathF.Abs(expected[i])),
                    $"{label}, batch {batch}, logit {i}: folded {actual[i]:R}, eval mode {expected[i]:R}");
            }
        }
        output.WriteLine($"{label}: max |folded - eval| {worst:E2}; layers {Count(reference)} -> {Count(folded)}");
    }

    public static TheoryData<string, string, int> Cases() => ZooCases.Theory();

    [Theory]
    [InlineData("cnn-deep-bn")]
    [InlineData("resnet")]
    [InlineData("mlp-bn")]
    public void Batch_norm_after_a_layer_or_before_a_linear_one_and_dropout_are_folded_away(string model)
    {
        var folded = InferenceFolding.Fold(ZooCases.Create(model, 0));
        var modules = folded.Modules().Select(m => m.Module).ToList();
        Assert.DoesNotContain(modules, m => m is Dropout or BatchNorm or ReLU);
        Assert.Contains(modules, m => m is Conv2d { FusedReLU: true } or InPlaceReLU);
        if (model == "resnet") Assert.All(modules.OfType<Residual>(), r => Assert.True(r.FusedReLU));
    }

    [Theory]
    [InlineData("cnn-deep-bn", 2)]
    [InlineData("resnet9", 3)]
    [InlineData("cnn", 2)]
    public void A_2x2_max_pool_after_a_convolution_is_taken_as_the_convolution_writes(string model, int pools)
    {
        var folded = InferenceFolding.Fold(ZooCases.Create(model, 0));
        var modules = folded.Modules().Select(m => m.Module).ToList();
        Assert.DoesNotContain(modules, m => m is MaxPool2d);
        Assert.Equal(pools, modules.Count(m => m is Conv2d { FusedMaxPool: true }));
    }

    [Fact]
    public void Batch_norm_after_an_activation_before_a_convolution_stays_as_zero_padding_would_change()
    {
        // cnn-wide: Conv → ReLU → BN → Dropout → Conv (padding 1): folding the BN forward would shift the padded zeros.
        var folded = InferenceFolding.Fold(ZooCases.Create("cnn-wide", 0));
        Assert.Contains(folded.Modules(), m => m.Module is BatchNorm2d);
    }

    [Fact]
    public void The_folded_model_cannot_be_differentiated_through_an_in_place_relu()
    {
        var folded = InferenceFolding.Fold(ZooCases.Create("cnn", 0));
        var input = new Tensor(new Shape(2, 1, 28, 28)) { RequiresGrad = true };
        var error = Assert.Throws<InvalidOperationException>(() => folded.Forward(input));
        Assert.Contains("NoGrad", error.Message);
        Atelier.Autograd.Tape.Clear();
    }

    private static int Count(Module model) => model.Modules().Count(m => !m.Module.Children().Any());
}
