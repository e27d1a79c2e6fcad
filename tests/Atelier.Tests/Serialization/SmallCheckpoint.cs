using System.Text.Json;
using Atelier.Models;
using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Tests.Serialization;

/// <summary>
/// A complete Atelier checkpoint, as a training run writes one, of a tiny model (dense32 on 4x4 images, 3 classes:
/// about 2.6 KB), so that tests and the fuzzer can write thousands of variants quickly.
/// </summary>
internal static class SmallCheckpoint
{
    public const string ModelName = "dense32";

    public static Dictionary<string, string> Metadata() => new()
    {
        ["format"] = "pt",
        [CheckpointMetadata.Model] = ModelName,
        [CheckpointMetadata.Mean] = "0.286",
        [CheckpointMetadata.Std] = "0.353",
        [CheckpointMetadata.Classes] = JsonSerializer.Serialize(new[] { "cat", "dog", "bird" }),
        [CheckpointMetadata.Input] = "1,4,4",
        [CheckpointMetadata.Options] = JsonSerializer.Serialize(
            TrainOptionTable.ToPairs(new TrainOptions { Model = ModelName }).ToDictionary(p => p.Key, p => p.Value)),
    };

    public static Atelier.Nn.Module Model(int classes = 3) =>
        ModelZoo.Create(ModelName, new ModelOptions { Height = 4, Width = 4, Classes = classes }, new Atelier.Tensors.Rng(7));

    /// <summary>Writes the checkpoint (metadata edited by <paramref name="edit"/>) and returns its path.</summary>
    public static string Write(string path, Action<Dictionary<string, string>>? edit = null, Atelier.Nn.Module? model = null)
    {
        var metadata = Metadata();
        edit?.Invoke(metadata);
        Safetensors.SaveModel(path, model ?? Model(), metadata);
        return path;
    }

    public static byte[] Bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"atelier-small-{Guid.NewGuid():N}.safetensors");
        try
        {
            Write(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
