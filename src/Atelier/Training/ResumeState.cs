using System.Globalization;
using System.Text.Json;
using Atelier.Optim;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>
/// Everything besides the weights that a resumed run needs to continue bit for bit: optimizer and scheduler state,
/// early-stopping counters, the dropout stream, the last completed epoch. Saved after every epoch, beside last.safetensors.
/// (The data order and augmentation depend only on the seed and the epoch, so they need no state.)
/// </summary>
public static class ResumeState
{
    /// <summary>
    /// Saves the state after <paramref name="epoch"/>. With --ema, <paramref name="averaged"/> is the average and the
    /// trained model, whose weights (the checkpoints hold the average's) are saved here under <see cref="TrainedPrefix"/>.
    /// </summary>
    public static void Save(RunFolder folder, int epoch, Optimizer optimizer, LrScheduler? scheduler, EarlyStopping stopping, Rng dropoutRng,
        (WeightAverage Average, Nn.Module Trained)? averaged = null)
    {
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["best_loss"] = stopping.BestLoss.ToString("R", CultureInfo.InvariantCulture),
            ["best_epoch"] = stopping.BestEpoch.ToString(CultureInfo.InvariantCulture),
            ["epochs_without_improvement"] = stopping.EpochsWithoutImprovement.ToString(CultureInfo.InvariantCulture),
            ["dropout_rng"] = string.Join(",", dropoutRng.GetState()),
            ["scheduler"] = scheduler is null ? "" : JsonSerializer.Serialize(scheduler.StateDict(), RunFolder.JsonOptions),
            ["learning_rate"] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture),
        };
        var tensors = optimizer.StateDict();
        if (averaged is var (average, trained))
        {
            metadata[EmaUpdatesKey] = average.Updates.ToString(CultureInfo.InvariantCulture);
            tensors.AddRange(trained.StateDict().Select(e => e with { Name = TrainedPrefix + e.Name }));
        }
        Safetensors.Save(folder.File(RunFolder.ResumeState), tensors, metadata);
    }

    /// <summary>With --ema, the trained weights' names in the resume state: "trained." + the state-dict name.</summary>
    public const string TrainedPrefix = "trained.";

    private const string EmaUpdatesKey = "ema_updates";

    /// <summary>Reads the resume state's file and its epoch without restoring anything: throws the sentence a damaged one gets.</summary>
    public static void Check(RunFolder folder)
    {
        string path = folder.File(RunFolder.ResumeState);
        var metadata = Safetensors.Load(path).Metadata;
        if (!metadata.TryGetValue("epoch", out var epoch) || !int.TryParse(epoch, NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) || e < 1)
            throw new InvalidDataException($"{path} is damaged (it names no completed epoch); the run cannot continue from it: delete it to start the run again from epoch 1.");
    }

    /// <summary>Restores the state saved by <see cref="Save"/>; returns the last completed epoch.</summary>
    public static int Load(RunFolder folder, Nn.Module model, Optimizer optimizer, LrScheduler? scheduler, EarlyStopping stopping, Rng dropoutRng,
        WeightAverage? average = null)
    {
        string path = folder.File(RunFolder.ResumeState);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{folder.Path} has no {RunFolder.ResumeState}: the run did not finish an epoch, so there is nothing to resume; start it again.");
        var state = Safetensors.Load(path);
        try
        {
            return Restore(folder, state, model, optimizer, scheduler, stopping, dropoutRng, average);
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException or JsonException or ArgumentException or IndexOutOfRangeException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message.TrimEnd('.')}); the run cannot continue from it: delete it to start the run again from epoch 1.", e);
        }
    }

    private static int Restore(RunFolder folder, SafetensorsFile state, Nn.Module model, Optimizer optimizer, LrScheduler? scheduler, EarlyStopping stopping,
        Rng dropoutRng, WeightAverage? average)
    {
        var m = state.Metadata;
        // The checkpoint holds what was evaluated: the average with --ema (the trained weights come from the resume state).
        var weights = Safetensors.LoadInto(folder.File(RunFolder.LastCheckpoint), average?.Average ?? model);
        // Both files are renamed into place after each epoch; a crash between the two renames leaves them an epoch apart.
        if (weights.GetValueOrDefault("atelier.epoch") != m["epoch"])
            throw new InvalidDataException($"{folder.Path}: {RunFolder.LastCheckpoint} is from epoch {weights.GetValueOrDefault("atelier.epoch", "?")} but {RunFolder.ResumeState} from epoch {m["epoch"]}: the run stopped while saving; start it again.");
        var trained = state.Tensors.Where(t => t.Key.StartsWith(TrainedPrefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[TrainedPrefix.Length..], t => t.Value);
        if (average is not null)
        {
            if (trained.Count == 0) throw new InvalidDataException("it holds no trained weights, which a run with --ema needs");
            model.LoadStateDict(trained);
            average.Updates = long.Parse(m[EmaUpdatesKey], CultureInfo.InvariantCulture);
        }
        optimizer.LoadState(state.Tensors.Where(t => !t.Key.StartsWith(TrainedPrefix, StringComparison.Ordinal)).ToDictionary(t => t.Key, t => t.Value));
        optimizer.LearningRate = float.Parse(m["learning_rate"], CultureInfo.InvariantCulture);
        if (scheduler is not null && m["scheduler"].Length > 0) scheduler.LoadState(JsonSerializer.Deserialize<Dictionary<string, double>>(m["scheduler"], RunFolder.JsonOptions)!);
        stopping.Restore(double.Parse(m["best_loss"], CultureInfo.InvariantCulture), int.Parse(m["best_epoch"], CultureInfo.InvariantCulture),
            int.Parse(m["epochs_without_improvement"], CultureInfo.InvariantCulture));
        dropoutRng.SetState(m["dropout_rng"].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray());
        return int.Parse(m["epoch"], CultureInfo.InvariantCulture);
    }
}
