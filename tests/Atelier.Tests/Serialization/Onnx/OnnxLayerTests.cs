using Atelier.Data;
using Atelier.Nn;
using Atelier.Serialization.Onnx;
using Atelier.Tensors;
using Atelier.Tests.Serialization;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>The layers no zoo model uses yet map too (checked in ONNX Runtime); a layer with no mapping is refused by name.</summary>
public sealed class OnnxLayerTests
{
    [Fact]
    public void Layers_outside_the_zoo_give_atelier_outputs_in_onnx_runtime()
    {
        var model = new Sequential(
            new Conv2d(1, 3, (3, 3), stride: (2, 2), padding: (1, 1)), new ELU(0.7f), new AvgPool2d(2, padding: 1), new Tanh(),
            new Identity(), new Flatten(), new Linear(3 * 8 * 8, 16, bias: false), new GELU(),
            new Residual(new Sequential(new Linear(16, 16), new Sigmoid())), new Linear(16, 4), new LogSoftmax(-1), new Softmax(1));
        model.ResetAllParameters(new Rng(3));
        model.Eval();
        var description = new OnnxModelDescription("custom", 1, 28, 28, new Normalization(0.5f, 0.25f), ["a", "b", "c", "d"]);
        using var folder = new TempFolder();
        string path = folder.File("custom.onnx");
        OnnxExport.Write(OnnxExport.Build(model, description), path);

        var pixels = ZooCases.Pixels(5, seed: 9);
        var input = new Tensor(new Shape(5, 1, 28, 28));
        for (int i = 0; i < pixels.Length; i++) input.Span[i] = description.Normalization.Apply(pixels[i]);
        float[] expected;
        using (Atelier.Autograd.Tape.NoGrad()) expected = model.Forward(input).Span.ToArray();
        using var runtime = new OnnxRuntimeModel(path);
        var actual = runtime.Logits(pixels, [5, 1, 28, 28]);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(MathF.Abs(actual[i] - expected[i]) <= 1e-5f, $"output {i}: {actual[i]:R} vs {expected[i]:R}");
    }

    [Fact]
    public void A_layer_without_a_mapping_is_refused_in_one_sentence_naming_it()
    {
        var model = new Sequential(new Flatten(), new Linear(784, 10), new Unmapped());
        var description = new OnnxModelDescription("custom", 1, 28, 28, Normalization.Identity, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Build(model, description));
        Assert.Equal("ONNX export has no mapping for the layer '2' (Unmapped), so this model cannot be exported.", e.Message);
    }

    [Fact]
    public void A_model_whose_output_is_not_one_logit_per_class_is_refused()
    {
        var model = new Sequential(new Flatten(), new Linear(784, 3));
        var description = new OnnxModelDescription("custom", 1, 28, 28, Normalization.Identity, ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Build(model, description));
        Assert.Contains("not the 2 class logits", e.Message);
    }

    private sealed class Unmapped : Module
    {
        public override Tensor Forward(Tensor input) => input;

        public override Shape OutputShape(Shape input) => input;
    }
}
