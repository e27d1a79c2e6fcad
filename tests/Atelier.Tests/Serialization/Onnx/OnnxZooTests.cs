using Atelier.Serialization.Onnx;
using Atelier.Tests.Serialization;
using Xunit.Abstractions;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>
/// Every zoo model exported and run in ONNX Runtime gives Atelier's eval-mode logits (within 1e-4, relative above 1)
/// at batch 1 and 7, reading raw pixels while Atelier is handed them normalised; and says what it is in its metadata.
/// </summary>
public sealed class OnnxZooTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_exported_zoo_model_gives_atelier_logits_in_onnx_runtime_at_batch_1_and_7(string label, string model, int patch)
    {
        using var folder = new TempFolder();
        var module = ZooCases.Create(model, patch);
        string path = folder.File("model.onnx");
        OnnxExport.Write(OnnxExport.Build(module, ZooCases.Description(model)), path);

        using var runtime = new OnnxRuntimeModel(path);
        float worst = 0, worstRelative = 0;
        foreach (int batch in (int[])[1, 7])
        {
            var pixels = ZooCases.Pixels(batch, seed: batch);
            var expected = ZooCases.AtelierLogits(module, pixels, batch);
            var actual = runtime.Logits(pixels, [batch, 1, 28, 28]);
            Assert.Equal(expected.Length, actual.Length);
            Assert.Equal(batch * 10, actual.Length);
            // Not a vacuous comparison: the logits differ between classes (and so between what a wrong graph would give).
            Assert.True(expected.Max() - expected.Min() > 1e-3f, $"{label}: the logits are all alike, {expected.Min():R} to {expected.Max():R}");
            for (int i = 0; i < expected.Length; i++)
            {
                float difference = MathF.Abs(actual[i] - expected[i]);
                worst = MathF.Max(worst, difference);
                worstRelative = MathF.Max(worstRelative, difference / MathF.Max(1f, MathF.Abs(expected[i])));
                Assert.True(difference <= Tolerance * MathF.Max(1f, MathF.Abs(expected[i])),
                    $"{label}, batch {batch}, logit {i}: ONNX Runtime {actual[i]:R}, Atelier {expected[i]:R}");
            }
        }
        output.WriteLine($"{label}: max |ORT - Atelier| {worst:E2}, max relative (to max(1, |logit|)) {worstRelative:E2}");
    }

    public static TheoryData<string, string, int> Cases() => ZooCases.Theory();

    [Fact]
    public void The_file_names_its_model_classes_version_and_raw_pixel_input_with_a_free_batch()
    {
        using var folder = new TempFolder();
        string path = folder.File("cnn.onnx");
        OnnxExport.Write(OnnxExport.Build(ZooCases.Create("cnn", 0), ZooCases.Description("cnn")), path);

        using var runtime = new OnnxRuntimeModel(path);
        Assert.Equal("cnn", runtime.Metadata["atelier.model"]);
        Assert.Contains("\"Ankle boot\"", runtime.Metadata["atelier.classes"]);
        Assert.Equal(OnnxExport.AtelierVersion, runtime.Metadata[OnnxExport.VersionKey]);
        Assert.Contains("raw pixels in [0, 1]", runtime.Description);
        var input = runtime.Inputs[OnnxExport.InputName];
        Assert.Equal([-1, 1, 28, 28], input.Dimensions);
        Assert.Equal(OnnxExport.BatchDimension, input.SymbolicDimensions[0]);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(15)]
    [InlineData(17)]
    public void Every_supported_opset_runs_the_same_logits(int opset)
    {
        using var folder = new TempFolder();
        var module = ZooCases.Create("mlp-bn", patch: 7);
        string path = folder.File("model.onnx");
        OnnxExport.Write(OnnxExport.Build(module, ZooCases.Description("mlp-bn"), opset), path);
        var pixels = ZooCases.Pixels(3, seed: 5);
        var expected = ZooCases.AtelierLogits(module, pixels, 3);
        using var runtime = new OnnxRuntimeModel(path);
        var actual = runtime.Logits(pixels, [3, 1, 28, 28]);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= Tolerance * MathF.Max(1f, MathF.Abs(expected[i])), $"opset {opset}, logit {i}");
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void An_opset_outside_13_to_17_is_refused(int opset)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExport.Build(ZooCases.Create("mlp", 0), ZooCases.Description("mlp"), opset));
        Assert.Contains($"ONNX opset {opset} is not supported", e.Message);
    }
}
