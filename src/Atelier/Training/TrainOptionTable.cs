using System.Globalization;

namespace Atelier.Training;

/// <summary>One option: its name as users type it, what it means, and how to read and write it as text.</summary>
public sealed record TrainOption(string Name, string Help, Func<TrainOptions, string?> Get, Action<TrainOptions, string> Set, bool IsFlag = false);

/// <summary>
/// The table of every training option. The command line, YAML files, experiment grids and the run store all go
/// through it, so an option added here is available everywhere at once.
/// </summary>
public static class TrainOptionTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<TrainOption> All { get; } =
    [
        Text("model", "model name (see `atelier models`)", o => o.Model, (o, v) => o.Model = v),
        Int("epochs", "number of epochs", o => o.Epochs, (o, v) => o.Epochs = v),
        Int("batch-size", "mini-batch size", o => o.BatchSize, (o, v) => o.BatchSize = v),
        Text("optimizer", "sgd, adam, adamw, rmsprop, adagrad, adadelta, nadam", o => o.Optimizer, (o, v) => o.Optimizer = v.ToLowerInvariant()),
        Float("lr", "learning rate (peak rate for onecycle)", o => o.LearningRate, (o, v) => o.LearningRate = v),
        Float("momentum", "SGD / RMSprop momentum", o => o.Momentum, (o, v) => o.Momentum = v),
        Flag("nesterov", "Nesterov momentum for SGD", o => o.Nesterov, (o, v) => o.Nesterov = v),
        Float("weight-decay", "weight decay (decoupled for adamw)", o => o.WeightDecay, (o, v) => o.WeightDecay = v),
        Float("beta1", "Adam-family beta1", o => o.Beta1, (o, v) => o.Beta1 = v),
        Float("beta2", "Adam-family beta2", o => o.Beta2, (o, v) => o.Beta2 = v),
        Text("schedule", "constant, step, exponential, cosine, onecycle, plateau", o => o.Schedule, (o, v) => o.Schedule = v.ToLowerInvariant()),
        Int("step-size", "epochs between decays for the step schedule; patience for plateau", o => o.StepSize, (o, v) => o.StepSize = v),
        Float("gamma", "decay factor for step, exponential and plateau", o => o.Gamma, (o, v) => o.Gamma = v),
        Int("warmup-epochs", "linear warm-up epochs for the cosine schedule", o => o.WarmupEpochs, (o, v) => o.WarmupEpochs = v),
        Text("loss", "cross-entropy or nll", o => o.Loss, (o, v) => o.Loss = v.ToLowerInvariant()),
        Float("label-smoothing", "label smoothing for cross-entropy", o => o.LabelSmoothing, (o, v) => o.LabelSmoothing = v),
        Text("init", "default, xavier-normal, xavier-uniform, he-normal, he-uniform, normal, zeros, by-layer", o => o.Init, (o, v) => o.Init = v.ToLowerInvariant()),
        new("dropout", "dropout rate for models that have dropout", o => o.Dropout?.ToString(Inv), (o, v) => o.Dropout = string.IsNullOrEmpty(v) || v == "default" ? null : ParseFloat("dropout", v)),
        Flag("batch-norm", "keep the model's batch-norm layers (--no-batch-norm removes them)", o => o.BatchNorm, (o, v) => o.BatchNorm = v),
        Int("patch", "fully connected models read the image as patches of this side, shared weights, mean over patches (0: whole image)", o => o.Patch, (o, v) => o.Patch = v),
        Float("ema", "keep an exponential moving average of the weights with this decay, e.g. 0.999: the average is what is evaluated and saved, its batch-norm statistics recomputed each epoch (0: off)", o => o.Ema, (o, v) => o.Ema = v),
        Int("bn-recalibrate", "after each epoch, recompute batch-norm statistics with dropout off on this many training images, for models where a dropout feeds a batch norm (0: off)", o => o.BnRecalibrate, (o, v) => o.BnRecalibrate = v),
        Flag("augment", "on-the-fly augmentation (crop, flip; see below)", o => o.Augment, (o, v) => o.Augment = v),
        Int("crop-padding", "random crop after padding by this many pixels (0: off)", o => o.CropPadding, (o, v) => o.CropPadding = v),
        Flag("flip", "random horizontal flip", o => o.Flip, (o, v) => o.Flip = v),
        Float("rotate", "random rotation up to this many degrees (0: off)", o => o.Rotate, (o, v) => o.Rotate = v),
        Float("erase", "random-erasing probability (0: off)", o => o.Erase, (o, v) => o.Erase = v),
        Float("mixup", "mixup: each training image blended with another of its batch by a weight λ ~ Beta(α, α) drawn per batch, the loss weighted alike (α; 0: off; 0.2 is usual)", o => o.Mixup, (o, v) => o.Mixup = v),
        Float("cutmix", "CutMix: a box of another image of the batch pasted in, its area 1 − λ with λ ~ Beta(α, α), the loss weighted by area (α; 0: off; 1 is usual)", o => o.CutMix, (o, v) => o.CutMix = v),
        Float("mix-prob", "probability that a batch is mixed by --mixup or --cutmix (with both, either at even odds)", o => o.MixProbability, (o, v) => o.MixProbability = v),
        Text("tta", "test-time augmentation: flip (each test prediction averaged with the mirror image's), none, or auto (flip when training flips)", o => o.Tta, (o, v) => o.Tta = v.ToLowerInvariant()),
        Int("val-size", "validation images held out of the training set (0: none, every image trains)", o => o.ValSize, (o, v) => o.ValSize = v),
        Flag("stratified", "stratified validation split", o => o.Stratified, (o, v) => o.Stratified = v),
        Int("train-size", "train on only this many images (0: all)", o => o.TrainSize, (o, v) => o.TrainSize = v),
        Int("test-size", "test on only this many images (0: all)", o => o.TestSize, (o, v) => o.TestSize = v),
        Int("seed", "random seed", o => o.Seed, (o, v) => o.Seed = v),
        Int("threads", "compute threads (0: all cores)", o => o.Threads, (o, v) => o.Threads = v),
        Text("output", "folder for run folders and the run store", o => o.Output, (o, v) => o.Output = v),
        Int("patience", "early stopping: epochs without improvement (0: off)", o => o.Patience, (o, v) => o.Patience = v),
        Float("min-delta", "early stopping: smallest improvement of the monitored value", o => o.MinDelta, (o, v) => o.MinDelta = v),
        Text("monitor", "what picks the best epoch and drives early stopping: val-accuracy or val-loss (the training loss when --val-size is 0)", o => o.Monitor, (o, v) => o.Monitor = v.ToLowerInvariant()),
        Float("clip-norm", "clip the gradient norm to this (0: off)", o => o.ClipNorm, (o, v) => o.ClipNorm = v),
        Text("data", "folder with the IDX files (else ATELIER_DATA, else the cache, else download)", o => o.Data, (o, v) => o.Data = v),
        Text("name", "a name for the run", o => o.Name, (o, v) => o.Name = v),
        Text("experiment", "experiment tag", o => o.Experiment, (o, v) => o.Experiment = v),
    ];

    public static TrainOption? Find(string name) =>
        All.FirstOrDefault(o => string.Equals(o.Name, name.Replace('_', '-'), StringComparison.OrdinalIgnoreCase));

    /// <summary>Sets an option from text; throws ArgumentException with one sentence on an unknown name or bad value.</summary>
    public static void Set(TrainOptions options, string name, string value)
    {
        var option = Find(name) ?? throw new ArgumentException($"Unknown option '{name}'.{Suggest(name)}");
        option.Set(options, value);
    }

    /// <summary>All options as text, for the run folder and the run store.</summary>
    public static List<KeyValuePair<string, string>> ToPairs(TrainOptions options) =>
        All.Select(o => new KeyValuePair<string, string>(o.Name, o.Get(options) ?? "")).ToList();

    public static TrainOptions FromPairs(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var options = new TrainOptions();
        foreach (var (key, value) in pairs)
            if (Find(key) is { } option && (value.Length > 0 || option.Name is "dropout")) option.Set(options, value);
        return options;
    }

    private static string Suggest(string name) =>
        Suggestion.Closest(name.Replace('_', '-').ToLowerInvariant(), All.Select(o => o.Name)) is { } closest
            ? $" Did you mean '{closest}'?" : " `atelier train --help` lists the options.";

    private static TrainOption Text(string name, string help, Func<TrainOptions, string?> get, Action<TrainOptions, string> set) => new(name, help, get, set);

    private static TrainOption Int(string name, string help, Func<TrainOptions, int> get, Action<TrainOptions, int> set) =>
        new(name, help, o => get(o).ToString(Inv), (o, v) => set(o, int.TryParse(v, NumberStyles.Integer, Inv, out int x)
            ? x : throw new ArgumentException($"--{name} needs a whole number, got '{v}'.")));

    private static TrainOption Float(string name, string help, Func<TrainOptions, float> get, Action<TrainOptions, float> set) =>
        new(name, help, o => get(o).ToString(Inv), (o, v) => set(o, ParseFloat(name, v)));

    private static TrainOption Flag(string name, string help, Func<TrainOptions, bool> get, Action<TrainOptions, bool> set) =>
        new(name, help, o => get(o) ? "true" : "false", (o, v) => set(o, v.ToLowerInvariant() switch
        {
            "" or "true" or "yes" or "on" or "1" => true,
            "false" or "no" or "off" or "0" => false,
            _ => throw new ArgumentException($"--{name} is true or false, got '{v}'."),
        }), IsFlag: true);

    private static float ParseFloat(string name, string v) =>
        float.TryParse(v, NumberStyles.Float, Inv, out float x) && float.IsFinite(x) ? x : throw new ArgumentException($"--{name} needs a number, got '{v}'.");
}
