using Atelier.Serialization;
using Atelier.Tests.Cli;
using Atelier.Tests.Cli.Catalogue;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>`atelier export` where it goes right: the default output names, another opset, and the safetensors format.</summary>
[Collection("console")]
public sealed class ExportCommandTests
{
    [Fact]
    public void A_checkpoint_file_exports_beside_itself_under_its_own_name()
    {
        string folder = TestData.TempDirectory();
        string checkpoint = Path.Combine(folder, "shirt-model.safetensors");
        File.Copy(BadInputWorkspace.Instance.GoodCheckpoint, checkpoint);

        var r = InProcessCli.Run("export", checkpoint, "--opset", "13");

        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("ONNX opset 13", r.Stdout);
        using var runtime = new OnnxRuntimeModel(Path.Combine(folder, "shirt-model.onnx"));
        Assert.Equal("mlp", runtime.Metadata["atelier.model"]);
        Assert.Equal(["shirt-model.onnx", "shirt-model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_safetensors_format_writes_a_state_dict_that_loads_back_as_the_same_checkpoint()
    {
        string target = Path.Combine(TestData.TempDirectory(), "for-pytorch.safetensors");
        var r = InProcessCli.Run("export", BadInputWorkspace.Instance.GoodRun, "--format", "safetensors", "-o", target);

        Assert.True(r.ExitCode == 0, r.Output);
        var original = Checkpoint.Load(BadInputWorkspace.Instance.GoodCheckpoint);
        var exported = Checkpoint.Load(target);
        Assert.Equal(original.ModelName, exported.ModelName);
        Assert.Equal(original.Normalization, exported.Normalization);
        var a = original.Model.StateDict();
        var b = exported.Model.StateDict();
        Assert.Equal(a.Select(e => e.Name), b.Select(e => e.Name));
        for (int i = 0; i < a.Count; i++) Assert.True(a[i].Tensor.Span.SequenceEqual(b[i].Tensor.Span), a[i].Name);
        Assert.Equal(Safetensors.Load(BadInputWorkspace.Instance.GoodCheckpoint).Names, Safetensors.Load(target).Names);
    }

    [Fact]
    public void Export_help_lists_its_options()
    {
        var r = InProcessCli.Run("export", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--format", "-o, --output", "--opset", "--runs" }) Assert.Contains(option, r.Stdout);
    }
}
