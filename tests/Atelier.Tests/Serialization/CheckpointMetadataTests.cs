using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Tests.Serialization;

/// <summary>Every bad atelier.* metadata value, and weights that hold NaN or infinity, give one sentence naming file and field.</summary>
public sealed class CheckpointMetadataTests
{
    [Fact]
    public void The_small_checkpoint_loads()
    {
        using var folder = new TempFolder();
        var checkpoint = Checkpoint.Load(SmallCheckpoint.Write(folder.File("ok.safetensors")));
        Assert.Equal(["cat", "dog", "bird"], checkpoint.ClassNames);
        Assert.Equal(0.353f, checkpoint.Normalization.Std);
        Assert.Equal(3, checkpoint.Predict(new byte[16], 4, 4).Length);
    }

    [Theory]
    [InlineData(CheckpointMetadata.Classes, "not json", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Classes, "{\"a\":1}", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Classes, "[\"a\",null,\"c\"]", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Classes, "[\"a\",3,\"c\"]", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Classes, "[\"a\",\"  \",\"c\"]", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Classes, "[]", "an empty list")]
    [InlineData(CheckpointMetadata.Classes, "[\"a\",\"a\",\"c\"]", "names the class 'a' twice")]
    [InlineData(CheckpointMetadata.Classes, "null", "not a JSON array of class names")]
    [InlineData(CheckpointMetadata.Input, "1,4", "not three positive whole numbers")]
    [InlineData(CheckpointMetadata.Input, "1,4,x", "not three positive whole numbers")]
    [InlineData(CheckpointMetadata.Input, "1,0,4", "not three positive whole numbers")]
    [InlineData(CheckpointMetadata.Input, "1,-4,4", "not three positive whole numbers")]
    [InlineData(CheckpointMetadata.Input, "1,4,99999999999", "not three positive whole numbers")]
    [InlineData(CheckpointMetadata.Input, "1,100000,100000", "larger than the 4 channels of 1024x1024 pixels")]
    [InlineData(CheckpointMetadata.Mean, "abc", "not a finite number")]
    [InlineData(CheckpointMetadata.Mean, "NaN", "not a finite number")]
    [InlineData(CheckpointMetadata.Mean, "1e999", "not a finite number")]
    [InlineData(CheckpointMetadata.Std, "Infinity", "not a finite number")]
    [InlineData(CheckpointMetadata.Std, "0", "not above 0")]
    [InlineData(CheckpointMetadata.Std, "-0.3", "not above 0")]
    [InlineData(CheckpointMetadata.Options, "[1]", "not a JSON object of option names and string values")]
    [InlineData(CheckpointMetadata.Options, "{\"lr\":0.1}", "not a JSON object of option names and string values")]
    [InlineData(CheckpointMetadata.Options, "{\"lr\":null}", "not a JSON object of option names and string values")]
    [InlineData(CheckpointMetadata.Options, "{oops", "not a JSON object of option names and string values")]
    [InlineData(CheckpointMetadata.Options, "{\"lr\":\"fast\"}", "--lr needs a number, got 'fast'")]
    [InlineData(CheckpointMetadata.Options, "{\"schedule\":\"sometimes\"}", "unknown schedule 'sometimes'")]
    [InlineData(CheckpointMetadata.Options, "{\"dropout\":\"1.5\"}", "--dropout must be in [0, 1)")]
    [InlineData(CheckpointMetadata.Model, "resnet-9000", "not a model Atelier knows")]
    [InlineData(CheckpointMetadata.Model, " ", "not a model name")]
    public void A_bad_metadata_value_names_the_file_and_the_field(string field, string value, string reason)
    {
        using var folder = new TempFolder();
        string path = SmallCheckpoint.Write(folder.File("bad.safetensors"), m => m[field] = value);
        var e = Assert.Throws<InvalidModelFileException>(() => Checkpoint.Load(path));
        Assert.True(e.Message.StartsWith(path, StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains(field, StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains(reason, StringComparison.Ordinal), e.Message);
        Assert.Equal(path, e.FilePath);
        Assert.Single(e.Message.Split(". ")); // one sentence
    }

    [Fact]
    public void Missing_class_names_are_refused()
    {
        using var folder = new TempFolder();
        string path = SmallCheckpoint.Write(folder.File("bad.safetensors"), m => m.Remove(CheckpointMetadata.Classes));
        var e = Assert.Throws<InvalidModelFileException>(() => Checkpoint.Load(path));
        Assert.Contains($"has no {CheckpointMetadata.Classes}", e.Message);
    }

    [Fact]
    public void A_class_list_that_disagrees_with_the_weights_says_so()
    {
        using var folder = new TempFolder();
        string path = SmallCheckpoint.Write(folder.File("bad.safetensors"), m => m[CheckpointMetadata.Classes] = "[\"a\",\"b\",\"c\",\"d\"]");
        var e = Assert.Throws<InvalidModelFileException>(() => Checkpoint.Load(path));
        Assert.Equal($"{path} has 4 class names in atelier.classes but its tensor '3.weight' has 3 outputs; the class list and the weights disagree.", e.Message);
    }

    [Fact]
    public void An_input_size_the_model_cannot_take_is_refused()
    {
        using var folder = new TempFolder();
        string path = SmallCheckpoint.Write(folder.File("bad.safetensors"), m => m[CheckpointMetadata.Model] = "cnn");
        var e = Assert.Throws<InvalidModelFileException>(() => Checkpoint.Load(path));
        Assert.StartsWith(path, e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "infinite")]
    [InlineData(float.NegativeInfinity, "infinite")]
    public void Weights_that_are_not_finite_are_refused_by_tensor_name(float value, string what)
    {
        using var folder = new TempFolder();
        var model = SmallCheckpoint.Model();
        var weight = model.StateDict().First(e => e.Name.EndsWith(".weight", StringComparison.Ordinal));
        weight.Tensor.Span[5] = value;
        string path = SmallCheckpoint.Write(folder.File("diverged.safetensors"), model: model);
        var e = Assert.Throws<InvalidModelFileException>(() => Checkpoint.Load(path));
        Assert.Equal($"{path} is not a usable checkpoint: its tensor '{weight.Name}' holds {what} values: the run it came from diverged.", e.Message);
    }
}
