namespace Atelier.Optim;

/// <summary>
/// Hyperparameters for <see cref="Optimizers.Create"/>, named as in torch.optim. A null field takes the chosen
/// optimizer's PyTorch default (SGD's learning rate, which PyTorch requires, defaults to 0.01 here);
/// setting a field the optimizer does not have is an error.
/// </summary>
public sealed record OptimizerOptions
{
    public float? LearningRate { get; init; }
    public double? WeightDecay { get; init; }
    /// <summary>SGD, RMSprop.</summary>
    public double? Momentum { get; init; }
    /// <summary>SGD.</summary>
    public double? Dampening { get; init; }
    /// <summary>SGD.</summary>
    public bool? Nesterov { get; init; }
    /// <summary>Adam, AdamW, NAdam.</summary>
    public double? Beta1 { get; init; }
    /// <summary>Adam, AdamW, NAdam.</summary>
    public double? Beta2 { get; init; }
    /// <summary>All but SGD.</summary>
    public double? Eps { get; init; }
    /// <summary>Adam, AdamW.</summary>
    public bool? AmsGrad { get; init; }
    /// <summary>RMSprop's smoothing constant.</summary>
    public double? Alpha { get; init; }
    /// <summary>RMSprop.</summary>
    public bool? Centered { get; init; }
    /// <summary>Adagrad.</summary>
    public double? LrDecay { get; init; }
    /// <summary>Adagrad.</summary>
    public double? InitialAccumulatorValue { get; init; }
    /// <summary>Adadelta.</summary>
    public double? Rho { get; init; }
    /// <summary>NAdam.</summary>
    public double? MomentumDecay { get; init; }
}
