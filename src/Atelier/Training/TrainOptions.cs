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

    /// <summary>Checks ranges and names; throws ArgumentException with one sentence for the first problem.</summary>
    public void Validate()
    {
        Models.ModelZoo.Get(Model);
        Require(Epochs > 0, $"--epochs must be a positive whole number, got {Epochs}.");
        Require(BatchSize > 0, $"--batch-size must be a positive whole number, got {BatchSize}.");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"--lr must be a positive number, got {LearningRate}.");
        Require(WeightDecay >= 0, $"--weight-decay must be zero or positive, got {WeightDecay}.");
        Require(Momentum >= 0 && Momentum < 1, $"--momentum must be in [0, 1), got {Momentum}.");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, $"--label-smoothing must be in [0, 1), got {LabelSmoothing}.");
        Require(IsTtaMode(Tta), $"--tta must be auto, flip or none, got '{Tta}'.");
        Require(Dropout is null || (Dropout >= 0 && Dropout < 1), $"--dropout must be in [0, 1), got {Dropout}.");
        Require(Patch >= 0, $"--patch must be zero (whole images) or a positive patch side in pixels, got {Patch}.");
        if (Patch > 0) Models.ModelZoo.Get(Model).Build(ModelOptionsFor(1, 28, 28, 10)); // refuses a model or size patches don't fit
        Require(BnRecalibrate >= 0, $"--bn-recalibrate must be zero (off) or a number of training images, got {BnRecalibrate}.");
        Require(ValSize >= 0, $"--val-size must be zero or positive, got {ValSize}.");
        Require(TrainSize >= 0, $"--train-size must be zero (all) or positive, got {TrainSize}.");
        Require(TestSize >= 0, $"--test-size must be zero (all) or positive, got {TestSize}.");
        Require(Threads >= 0, $"--threads must be zero (all cores) or positive, got {Threads}.");
        Require(Patience >= 0, $"--patience must be zero (off) or positive, got {Patience}.");
        Require(CropPadding >= 0, $"--crop-padding must be zero or positive, got {CropPadding}.");
        Require(Erase >= 0 && Erase <= 1, $"--erase is a probability in [0, 1], got {Erase}.");
        Require(ClipNorm >= 0, $"--clip-norm must be zero (off) or positive, got {ClipNorm}.");
        Require(Schedules.Contains(Schedule), $"Unknown schedule '{Schedule}'. Known schedules: {string.Join(", ", Schedules)}.");
        Require(Losses.Contains(Loss), $"Unknown loss '{Loss}'. Known losses: {string.Join(", ", Losses)}.");
        Require(Inits.Contains(Init), $"Unknown initialisation '{Init}'. Known ones: {string.Join(", ", Inits)}.");
        Require(Monitor is "val-loss" or "val-accuracy", $"--monitor is val-loss or val-accuracy, got '{Monitor}'.");
        Require(OptimizerNames.Contains(Optimizer), $"Unknown optimizer '{Optimizer}'. Known optimizers: {string.Join(", ", OptimizerNames)}.");
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
