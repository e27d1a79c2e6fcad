namespace Atelier.Training;

/// <summary>
/// Everything a run is configured by. Every option has a kebab-case name (see <see cref="TrainOptionTable"/>)
/// shared by the command line, YAML files, experiment grids and the run store.
/// </summary>
public sealed class TrainOptions
{
    public string Model { get; set; } = Models.ModelZoo.DefaultModel;
    public int Epochs { get; set; } = 10;
    public int BatchSize { get; set; } = 64;
    public string Optimizer { get; set; } = "adamw";
    public float LearningRate { get; set; } = 3e-3f;
    public float Momentum { get; set; } = 0.9f;
    public bool Nesterov { get; set; }
    public float WeightDecay { get; set; } = 5e-4f;
    public float Beta1 { get; set; } = 0.9f;
    public float Beta2 { get; set; } = 0.999f;
    public string Schedule { get; set; } = "onecycle";
    public int StepSize { get; set; } = 10;
    public float Gamma { get; set; } = 0.1f;
    public int WarmupEpochs { get; set; }
    public string Loss { get; set; } = "cross-entropy";
    public float LabelSmoothing { get; set; } = 0.1f;
    public string Init { get; set; } = "default";
    public float? Dropout { get; set; }
    public bool BatchNorm { get; set; } = true;
    public int Patch { get; set; }
    public int BnRecalibrate { get; set; } = 2048;
    public bool Augment { get; set; } = true;
    public int CropPadding { get; set; } = 2;
    public bool Flip { get; set; } = true;
    public float Rotate { get; set; }
    public float Erase { get; set; }
    public float Mixup { get; set; }
    public float CutMix { get; set; }
    public float MixProbability { get; set; } = 1f;
    public float Ema { get; set; }
    public string Tta { get; set; } = "auto";
    public int ValSize { get; set; } = 10_000;
    public bool Stratified { get; set; }
    public int TrainSize { get; set; }
    public int TestSize { get; set; }
    public int Seed { get; set; } = 42;
    public int Threads { get; set; }
    public string Output { get; set; } = "runs";
    public int Patience { get; set; }
    public float MinDelta { get; set; }
    public string Monitor { get; set; } = "val-accuracy";
    public float ClipNorm { get; set; }
    public string? Data { get; set; }
    public string? Name { get; set; }
    public string? Experiment { get; set; }

    /// <summary>
    /// Whether test images are also classified mirrored (probabilities averaged): --tta flip, or auto when the
    /// model was trained with random flips (it has learnt that a mirrored image is the same class).
    /// </summary>
    public bool UsesFlipTta => Tta == "flip" || (Tta == "auto" && Augment && Flip);

    public static bool IsTtaMode(string mode) => mode is "auto" or "flip" or "none";

    /// <summary>The model switches these options set, for images of this size and this many classes.</summary>
    public Models.ModelOptions ModelOptionsFor(int channels, int height, int width, int classes) => new()
    {
        Channels = channels, Height = height, Width = width, Classes = classes,
        Dropout = Dropout, BatchNorm = BatchNorm, Patch = Patch,
    };

    public TrainOptions Clone() => (TrainOptions)MemberwiseClone();

    /// <summary>The largest mini-batch accepted: far above any that trains well, far below one that overflows a buffer.</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>
    /// Checks every option's range and names, in the option's own name; throws ArgumentException with one sentence for
    /// the first problem. Called before any data is loaded or any folder made.
    /// </summary>
    public void Validate()
    {
        Models.ModelZoo.Get(Model);
        Require(Epochs is > 0 and <= 100_000, $"--epochs must be a whole number from 1 to 100,000, got {Epochs}.");
        Require(BatchSize is > 0 and <= MaxBatchSize, $"--batch-size must be a whole number from 1 to {MaxBatchSize:N0}, got {BatchSize:N0}.");
        Require(OptimizerNames.Contains(Optimizer), $"Unknown optimizer '{Optimizer}'. Known optimizers: {string.Join(", ", OptimizerNames)}.");
        Require(LearningRate > 0 && LearningRate <= 10_000, $"--lr must be a number in (0, 10,000], got {LearningRate}.");
        Require(WeightDecay is >= 0 and <= 1, $"--weight-decay must be in [0, 1], got {WeightDecay}.");
        Require(Momentum is >= 0 and < 1, $"--momentum must be in [0, 1), got {Momentum}.");
        Require(Beta1 is >= 0 and < 1, $"--beta1 must be in [0, 1), got {Beta1}.");
        Require(Beta2 is >= 0 and < 1, $"--beta2 must be in [0, 1), got {Beta2}.");
        Require(Schedules.Contains(Schedule), $"Unknown schedule '{Schedule}'. Known schedules: {string.Join(", ", Schedules)}.");
        Require(StepSize is > 0 and <= 100_000, $"--step-size must be a whole number of epochs from 1 to 100,000, got {StepSize}.");
        Require(Gamma is > 0 and <= 1, $"--gamma is a decay factor in (0, 1], got {Gamma}.");
        Require(WarmupEpochs >= 0 && WarmupEpochs < Epochs, $"--warmup-epochs must be zero or more and fewer than --epochs ({Epochs}), got {WarmupEpochs}.");
        Require(Losses.Contains(Loss), $"Unknown loss '{Loss}'. Known losses: {string.Join(", ", Losses)}.");
        Require(LabelSmoothing is >= 0 and < 1, $"--label-smoothing must be in [0, 1), got {LabelSmoothing}.");
        Require(Inits.Contains(Init), $"Unknown initialisation '{Init}'. Known ones: {string.Join(", ", Inits)}.");
        Require(Dropout is null or (>= 0 and < 1), $"--dropout must be in [0, 1), got {Dropout}.");
        Require(Patch is >= 0 and <= 1024, $"--patch must be zero (whole images) or a positive patch side in pixels, got {Patch}.");
        if (Patch > 0) Models.ModelZoo.Get(Model).Build(ModelOptionsFor(1, 28, 28, 10)); // refuses a model or size patches don't fit
        Require(BnRecalibrate is >= 0 and <= 1_000_000, $"--bn-recalibrate must be zero (off) or a number of training images up to 1,000,000, got {BnRecalibrate}.");
        Require(CropPadding is >= 0 and <= 14, $"--crop-padding must be from 0 to 14 pixels, got {CropPadding}.");
        Require(Rotate is >= 0 and <= 180, $"--rotate must be from 0 to 180 degrees, got {Rotate}.");
        Require(Erase is >= 0 and <= 1, $"--erase is a probability in [0, 1], got {Erase}.");
        Require(Mixup is >= 0 and <= 100, $"--mixup is the Beta(α, α) parameter of mixup's weight, from 0 (off) to 100, e.g. 0.2, got {Mixup}.");
        Require(CutMix is >= 0 and <= 100, $"--cutmix is the Beta(α, α) parameter of CutMix's box area, from 0 (off) to 100, e.g. 1, got {CutMix}.");
        Require(MixProbability is >= 0 and <= 1, $"--mix-prob is the probability that a batch is mixed, in [0, 1], got {MixProbability}.");
        Require(Loss == "cross-entropy" || (Mixup == 0 && CutMix == 0), $"--mixup and --cutmix train against two labels at once, which needs --loss cross-entropy, got '{Loss}'.");
        Require(Ema is >= 0 and < 1, $"--ema is the weight-averaging decay in [0, 1), e.g. 0.999 (0: off), got {Ema}.");
        Require(IsTtaMode(Tta), $"--tta must be auto, flip or none, got '{Tta}'.");
        Require(ValSize >= 0, $"--val-size must be zero or positive, got {ValSize}.");
        Require(TrainSize >= 0, $"--train-size must be zero (all) or positive, got {TrainSize}.");
        Require(TestSize >= 0, $"--test-size must be zero (all) or positive, got {TestSize}.");
        Require(Seed >= 0, $"--seed must be zero or positive, got {Seed}.");
        Require(Threads is >= 0 and <= 1024, $"--threads must be zero (all cores) or a number of threads up to 1,024, got {Threads}.");
        Require(Patience is >= 0 and <= 100_000, $"--patience must be zero (off) or a number of epochs, got {Patience}.");
        Require(MinDelta >= 0, $"--min-delta must be zero or positive, got {MinDelta}.");
        Require(Monitor is "val-loss" or "val-accuracy", $"--monitor is val-loss or val-accuracy, got '{Monitor}'.");
        Require(ClipNorm >= 0, $"--clip-norm must be zero (off) or positive, got {ClipNorm}.");
        Require(!string.IsNullOrWhiteSpace(Output), "--output must name a folder, got an empty value.");
        Require(Data is null || Data.Trim().Length > 0, "--data must name a folder, got an empty value.");
        Require(Name is null || Name.Trim().Length > 0, "--name must not be empty.");
        Require(Experiment is null || Experiment.Trim().Length > 0, "--experiment must not be empty.");
        // An experiment's name becomes a folder and the first part of its runs' ids ("experiment/label").
        Require(Experiment is null || (Experiment.IndexOfAny(['/', '\\']) < 0 && Experiment is not ("." or "..")),
            $"--experiment names a folder: it must not hold '/' or '\\' or be '.' or '..', got '{Experiment}'.");
        foreach (var (option, text) in new[] { ("output", Output), ("data", Data), ("name", Name), ("experiment", Experiment) })
            Require(text is null || !text.Contains('\0'), $"--{option} must not hold a NUL character.");
    }

    public static readonly string[] Schedules = ["constant", "step", "exponential", "cosine", "onecycle", "plateau"];
    public static readonly string[] Losses = ["cross-entropy", "nll"];
    public static readonly string[] Inits = ["default", "xavier-normal", "xavier-uniform", "he-normal", "he-uniform", "normal", "zeros", "by-layer"];
    public static readonly string[] OptimizerNames = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam"];

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }
}
