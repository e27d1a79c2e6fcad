using Atelier.Optim;

namespace Atelier.Training;

/// <summary>Turns a run's --schedule option into the learning-rate scheduler it names (null for constant).</summary>
public static class Schedules
{
    public static LrScheduler? Create(TrainOptions o, Optimizer optimizer, int batchesPerEpoch) => o.Schedule switch
    {
        "constant" => null,
        "step" => new StepLR(optimizer, o.StepSize, o.Gamma),
        "exponential" => new ExponentialLR(optimizer, o.Gamma),
        "cosine" when o.WarmupEpochs > 0 => new LinearWarmupLR(new CosineAnnealingLR(optimizer, Math.Max(1, o.Epochs - o.WarmupEpochs)), o.WarmupEpochs),
        "cosine" => new CosineAnnealingLR(optimizer, o.Epochs),
        "onecycle" => new OneCycleLR(optimizer, o.LearningRate, o.Epochs * batchesPerEpoch),
        "plateau" => new ReduceLROnPlateau(optimizer, factor: o.Gamma, patience: o.StepSize),
        _ => throw new ArgumentException($"Unknown schedule '{o.Schedule}'. Known schedules: {string.Join(", ", TrainOptions.Schedules)}."),
    };
}
