using Atelier.Experiments;
using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Server.Prediction;

/// <summary>
/// The models the server predicts with, loaded once at start-up: those given (--model: checkpoint files, run folders
/// or run ids), else the best finished run's best checkpoint. Each has its own batching worker.
/// </summary>
public sealed class ServedModels : IDisposable
{
    private ServedModels(List<ServedModel> models, string? unavailable)
    {
        All = models;
        Unavailable = unavailable;
    }

    /// <summary>In the order given; the first is the default.</summary>
    public IReadOnlyList<ServedModel> All { get; }

    /// <summary>Why there is no model (one sentence), when there is none.</summary>
    public string? Unavailable { get; }

    public bool Ready => All.Count > 0;

    /// <summary>The model named, or the default when no name is given; null when none has that name.</summary>
    public ServedModel? Find(string? name) =>
        string.IsNullOrEmpty(name) ? All.FirstOrDefault() : All.FirstOrDefault(m => m.Name == name);

    /// <summary>
    /// Loads every model given; one that cannot be found or loaded throws its one sentence (the user named it). With
    /// none given, the finished run with the highest test accuracy that has a loadable checkpoint, if any.
    /// </summary>
    public static ServedModels Load(ServerOptions options, RunCatalog catalog, Action<int>? batchRan)
    {
        var models = new List<ServedModel>();
        try
        {
            foreach (var given in options.Models)
            {
                var run = catalog.Find(given);
                string path = Checkpoint.Resolve(run?.Folder ?? given, options.Runs);
                string name = UniqueName(run?.Id ?? Path.GetFileNameWithoutExtension(path), models);
                models.Add(Open(path, name, run?.Id, options.Batching, batchRan));
            }
            if (options.Models.Count > 0) return new ServedModels(models, null);
            foreach (var run in catalog.Runs().Where(r => r.Status == "finished" && r.TestAccuracy is not null).OrderByDescending(r => r.TestAccuracy))
            {
                string best = Path.Combine(run.Folder, RunFolder.BestCheckpoint);
                if (!File.Exists(best)) continue;
                try
                {
                    models.Add(Open(best, run.Id, run.Id, options.Batching, batchRan));
                    break;
                }
                catch (Exception e) when (e is InvalidModelFileException or IOException or InvalidDataException)
                {
                    // A damaged best run is passed over for the next best: nobody asked for it by name.
                }
            }
        }
        catch
        {
            foreach (var m in models) m.Predictor.Dispose();
            throw;
        }
        return new ServedModels(models, models.Count > 0 ? null
            : $"No model to predict with: no finished run in {Path.GetFullPath(options.Runs)} has a usable best checkpoint; train one with `atelier train`, or start the server with --model CHECKPOINT.");
    }

    private static ServedModel Open(string path, string name, string? runId, BatchingOptions batching, Action<int>? batchRan)
    {
        var checkpoint = Checkpoint.Load(path);
        var (channels, height, width) = CheckpointMetadata.InputShape(path, Safetensors.Load(path).Metadata);
        // The upload preprocessing makes square grayscale images, as Fashion-MNIST's.
        if (channels != 1 || height != width)
            throw new InvalidDataException($"{path} takes {channels}x{height}x{width} inputs; the server predicts with square one-channel models only.");
        return new ServedModel(name, checkpoint, height, runId, new BatchingPredictor(checkpoint, height, batching, name, batchRan));
    }

    private static string UniqueName(string name, List<ServedModel> taken)
    {
        string unique = name;
        for (int n = 2; taken.Any(m => m.Name == unique); n++) unique = $"{name}-{n}";
        return unique;
    }

    public void Dispose()
    {
        foreach (var m in All) m.Predictor.Dispose();
    }
}
