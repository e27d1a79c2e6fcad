using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Atelier.Data;
using Atelier.Experiments;
using Atelier.Kernels;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>What a finished run produced.</summary>
public sealed record RunResult(RunFolder Folder, IReadOnlyList<EpochMetrics> History, Evaluation Test, ConfusionMatrix Matrix, ClassificationReport Report,
    IReadOnlyList<string> ClassNames, double TrainingSeconds, double ImagesPerSecond, int BestEpoch, bool StoppedEarly);

/// <summary>
/// A whole run, as `atelier train` does it: data, split, model, epochs with validation, early stopping, best and last
/// checkpoints, resume state after every epoch, the run store, and the final test-set evaluation.
/// </summary>
public sealed class TrainingRun
{
    private readonly TrainOptions options;
    private readonly ITrainingObserver observer;

    public TrainingRun(TrainOptions options, ITrainingObserver observer)
    {
        options.Validate();
        this.options = options;
        this.observer = observer;
    }

    /// <summary>The run store to record in; by default atelier.db in the output folder (runs/atelier.db).</summary>
    public string? StorePath { get; init; }

    /// <summary>
    /// Asked after each epoch is saved (a tuning study's pruner): true stops the run there, recorded as "pruned" in the
    /// run store, with <see cref="RunPrunedException"/>.
    /// </summary>
    public Func<EpochMetrics, bool>? StopAfter { get; init; }

    /// <summary>Starts a new run in a new folder under options.Output.</summary>
    public RunResult Run(DataSplits data, CancellationToken cancel) =>
        Execute(data, () => RunFolder.Create(options.Output, options.Model, options.Name, options.Experiment, StorePath ?? Path.Combine(options.Output, "atelier.db")), resume: false, cancel);

    /// <summary>
    /// Starts a new run in a given folder, as experiments do to keep one folder per run label: one claimed by the
    /// caller (<see cref="RunFolder.Create"/>), or an unclaimed one it claims; refuses one another process claims first.
    /// </summary>
    public RunResult RunIn(DataSplits data, RunFolder folder, CancellationToken cancel) => Execute(data, () =>
    {
        if (!File.Exists(folder.File(RunFolder.IdentityFile)) && !folder.TryClaim(options.Experiment, StorePath ?? Path.Combine(Path.GetDirectoryName(folder.Path)!, "atelier.db")))
            throw new RunConflictException($"The run folder {folder.Path} belongs to another run (it has a {RunFolder.IdentityFile}); is another process training it?");
        return folder;
    }, resume: false, cancel);

    /// <summary>Continues an interrupted run from its last completed epoch; ends with the numbers the uninterrupted run gets.</summary>
    public RunResult Resume(DataSplits data, RunFolder folder, CancellationToken cancel)
    {
        CheckResumable(folder);
        return Execute(data, () => folder, resume: true, cancel);
    }

    /// <summary>
    /// Reads what <see cref="Resume"/> will read (identity, history, resume state) and throws its one-sentence error
    /// for a finished or damaged run, so a command can refuse before it loads any data.
    /// </summary>
    public static void CheckResumable(RunFolder folder)
    {
        if (folder.IsFinished)
            throw new RunConflictException($"Run {folder.Id} is finished ({folder.File(RunFolder.ResultsJson)} holds its results): there is nothing to resume; `atelier evaluate {folder.Path}` shows them.");
        RunIdentity.Read(folder);
        folder.ReadHistory();
        if (File.Exists(folder.File(RunFolder.ResumeState))) ResumeState.Check(folder);
    }

    /// <param name="data">the training, validation and test sets.</param>
    /// <param name="openFolder">Called once everything that can refuse the options has accepted them, so a bad option leaves no folder behind.</param>
    /// <param name="resume">Continue from the folder's saved state rather than start afresh.</param>
    /// <param name="cancel">Stops training at the next batch, saving a resumable state.</param>
    private RunResult Execute(DataSplits data, Func<RunFolder> openFolder, bool resume, CancellationToken cancel)
    {
        if (options.Threads > 0) Workers.ThreadCount = options.Threads;
        var rng = new Rng((ulong)options.Seed);
        var modelOptions = options.ModelOptionsFor(1, data.Train.Height, data.Train.Width, data.ClassNames.Count);
        var model = ModelZoo.Create(options.Model, modelOptions, rng);
        if (options.Init != "default") Init.Apply(model, ParseInit(options.Init), rng);
        var dropoutRng = rng.Fork();
        foreach (var (_, module) in model.Modules())
            if (module is Dropout dropout) dropout.Generator = dropoutRng;

        // With --ema the average is the model that is evaluated and saved; the trained weights live in the resume state.
        var average = options.Ema > 0 ? new WeightAverage(model, ModelZoo.Get(options.Model).Build(modelOptions), options.Ema) : null;
        var evaluated = average?.Average ?? model;

        var trainLoader = data.TrainLoader(options);
        var valLoader = data.EvalLoader(data.Validation, options.BatchSize);
        var recalibration = RecalibrationLoader(data, model, averaging: average is not null);
        var optimizer = Optimizers.Create(options.Optimizer, model.Parameters(), OptimizerSettings(options));
        var scheduler = Schedules.Create(options, optimizer, trainLoader.BatchCount);
        var trainer = new Trainer(model, optimizer, scheduler, options.Loss, options.LabelSmoothing, options.ClipNorm) { Average = average, Mixer = BatchMixer.For(options, data.Train.Height, data.Train.Width) };
        // Without a validation split (--val-size 0) the best epoch is the one with the lowest training loss, unless the
        // batches are mixed: their loss measures the draws (λ, the boxes) as much as the model, so the last epoch is kept.
        bool byAccuracy = options.Monitor == "val-accuracy" && data.Validation.Count > 0;
        bool lastIsBest = data.Validation.Count == 0 && trainer.Mixer is not null;
        var stopping = new EarlyStopping(options.Patience, options.MinDelta, maximize: byAccuracy);
        var history = new List<EpochMetrics>();
        var metadata = CheckpointMetadata(data);
        var folder = openFolder();

        // One id and one store for the run's whole life: both come from its identity file, whoever names the folder how.
        // Folders from before run.json: a plain run's store is beside it, an experiment run's one level up (runs/<experiment>/<label>).
        string runsFolder = Path.GetDirectoryName(folder.Path)!;
        if (!string.IsNullOrEmpty(options.Experiment) && StorePath is null) runsFolder = Path.GetDirectoryName(runsFolder)!;
        var identity = folder.Identity(options.Experiment, StorePath ?? Path.Combine(runsFolder, "atelier.db"));
        string runId = identity.Id, storePath = identity.StorePath(folder);
        using var store = new RunStore(storePath);
        if (resume && store.Find(runId) is { Status: "running" } live)
            throw new RunConflictException($"Run {runId} is being trained right now by process {live.ProcessId} on {live.Host}: wait for it to end, or stop it first.");
        int firstEpoch = 1;
        if (resume && File.Exists(folder.File(RunFolder.ResumeState)))
        {
            history = folder.ReadHistory();
            firstEpoch = ResumeState.Load(folder, model, optimizer, scheduler, stopping, dropoutRng, average) + 1;
            history = history.Where(h => h.Epoch < firstEpoch).ToList();
            observer.Message($"Resuming {runId} at epoch {firstEpoch} of {options.Epochs}.");
        }
        else if (resume) observer.Message($"Resuming {runId} from the start: it stopped before its first epoch ended.");
        else folder.WriteOptions(options);
        store.StartRun(runId, options.Model, folder.Path, identity.Experiment, TrainOptionTable.ToPairs(options));
        using var heartbeat = new RunHeartbeat(storePath, runId);

        double trainSeconds = history.Sum(h => h.Seconds);
        try
        {
            for (int epoch = firstEpoch; epoch <= options.Epochs && !stopping.ShouldStop; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                double lr = optimizer.LearningRate;
                var (trainLoss, trainAccuracy) = trainer.TrainEpoch(trainLoader, epoch, options.Epochs, observer, cancel);
                double seconds = epochClock.Elapsed.TotalSeconds;
                if (recalibration is not null) BatchNormRecalibration.Run(evaluated, recalibration.Epoch(0).Select(b => b.Images));
                var val = data.Validation.Count > 0 ? Evaluator.Evaluate(evaluated, valLoader, data.ClassNames.Count) : null;
                double valLoss = val?.Loss ?? trainLoss;
                if (scheduler is { StepsPerBatch: false }) scheduler.Step(valLoss);
                trainSeconds += seconds;
                var metrics = new EpochMetrics(epoch, trainLoss, trainAccuracy, val?.Loss ?? double.NaN, val?.Accuracy ?? double.NaN, lr, seconds);
                history.Add(metrics);
                bool best = stopping.Observe(epoch, byAccuracy ? val!.Accuracy : lastIsBest ? -epoch : valLoss);
                metadata["atelier.epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
                if (best) Safetensors.SaveModel(folder.File(RunFolder.BestCheckpoint), evaluated, metadata);
                Safetensors.SaveModel(folder.File(RunFolder.LastCheckpoint), evaluated, metadata);
                ResumeState.Save(folder, epoch, optimizer, scheduler, stopping, dropoutRng, average is null ? null : (average, model));
                folder.WriteHistory(history);
                store.AddEpoch(runId, epoch, trainLoss, trainAccuracy, metrics.ValLoss, metrics.ValAccuracy, lr, seconds);
                observer.EpochEnded(metrics, best);
                if (StopAfter?.Invoke(metrics) == true)
                {
                    store.EndRun(runId, "pruned", $"pruned after epoch {epoch}");
                    throw new RunPrunedException(folder, epoch);
                }
            }
        }
        catch (RunPrunedException)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            store.EndRun(runId, "interrupted", "stopped by the user");
            throw new RunInterruptedException(folder, history.Count, options.Epochs, e);
        }
        catch (NonFiniteLossException e)
        {
            var failure = e.Saying(stopping.BestEpoch > 0
                ? $"the best checkpoint, epoch {stopping.BestEpoch}, is kept in {folder.File(RunFolder.BestCheckpoint)}"
                : $"no epoch finished, so run {runId} saved no checkpoint");
            store.EndRun(runId, "failed", failure.Message);
            throw failure;
        }
        catch (Exception e)
        {
            store.EndRun(runId, "failed", e.Message);
            throw;
        }

        string monitored = data.Validation.Count > 0 ? options.Monitor : "train-loss";
        if (stopping.ShouldStop) observer.Message($"Early stopping: no improvement of {monitored} for {options.Patience} epochs; restoring epoch {stopping.BestEpoch}.");
        Safetensors.LoadInto(folder.File(RunFolder.BestCheckpoint), model);
        var test = Evaluator.Evaluate(model, data.EvalLoader(data.Test, options.BatchSize), data.ClassNames.Count, options.UsesFlipTta);
        var matrix = new ConfusionMatrix(data.ClassNames.Count);
        matrix.Add(test.Actual, test.Predicted);
        var report = matrix.Report();
        double imagesPerSecond = history.Count == 0 ? 0 : trainLoader.SampleCount * history.Count / Math.Max(1e-9, trainSeconds);
        var result = new RunResult(folder, history, test, matrix, report, data.ClassNames, trainSeconds, imagesPerSecond, stopping.BestEpoch, stopping.ShouldStop);
        Results.Write(result, runId);
        store.FinishRun(runId, Results.KeyMetrics(result));
        return result;
    }

    /// <summary>
    /// The first --bn-recalibrate training images, unaugmented, when the model has a dropout feeding a batch norm, or
    /// any batch norm while weights are averaged (the running statistics belong to the trained weights, not the
    /// average): after each epoch they give the batch norms the statistics evaluation will see (see BatchNormRecalibration).
    /// </summary>
    private DataLoader? RecalibrationLoader(DataSplits data, Module model, bool averaging)
    {
        int count = Math.Min(options.BnRecalibrate, data.Train.Count);
        bool needed = averaging ? model.Modules().Any(m => m.Module is BatchNorm) : BatchNormRecalibration.Needed(model);
        if (count == 0 || !needed) return null;
        var first = Enumerable.Range(0, count).ToArray();
        return data.EvalLoader(data.Train.Subset(first, "recalibration"), options.BatchSize);
    }

    private Dictionary<string, string> CheckpointMetadata(DataSplits data) => new()
    {
        ["format"] = "pt",
        ["atelier.model"] = options.Model,
        ["atelier.mean"] = data.Mean.ToString("R", CultureInfo.InvariantCulture),
        ["atelier.std"] = data.Std.ToString("R", CultureInfo.InvariantCulture),
        ["atelier.classes"] = JsonSerializer.Serialize(data.ClassNames),
        ["atelier.input"] = $"1,{data.Train.Height},{data.Train.Width}",
        ["atelier.options"] = JsonSerializer.Serialize(TrainOptionTable.ToPairs(options).ToDictionary(p => p.Key, p => p.Value)),
    };

    /// <summary>The run's optimizer settings, only those the chosen optimizer has (the factory refuses the others).</summary>
    public static OptimizerOptions OptimizerSettings(TrainOptions o) => o.Optimizer switch
    {
        "sgd" => new() { LearningRate = o.LearningRate, Momentum = o.Momentum, Nesterov = o.Nesterov, WeightDecay = o.WeightDecay },
        "rmsprop" => new() { LearningRate = o.LearningRate, Momentum = o.Momentum, WeightDecay = o.WeightDecay },
        "adam" or "adamw" or "nadam" => new() { LearningRate = o.LearningRate, Beta1 = o.Beta1, Beta2 = o.Beta2, WeightDecay = o.WeightDecay },
        _ => new() { LearningRate = o.LearningRate, WeightDecay = o.WeightDecay },
    };

    private static InitScheme ParseInit(string name) => name switch
    {
        "xavier-normal" => InitScheme.XavierNormal,
        "xavier-uniform" => InitScheme.XavierUniform,
        "he-normal" => InitScheme.HeNormal,
        "he-uniform" => InitScheme.HeUniform,
        "normal" => InitScheme.Normal,
        "zeros" => InitScheme.Zeros,
        "by-layer" => InitScheme.ByLayerType,
        _ => InitScheme.Default,
    };
}
