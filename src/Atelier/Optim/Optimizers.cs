using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>Creates an optimizer from its name (as configs and the command line spell it) and options.</summary>
public static class Optimizers
{
    /// <summary>The accepted names, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam"];

    /// <summary>SGD's learning rate when none is given (PyTorch requires one).</summary>
    public const float DefaultSgdLearningRate = 0.01f;

    // Every optional hyperparameter, by its PyTorch name, with whether it is set.
    private static readonly (string Name, Func<OptimizerOptions, bool> IsSet)[] Options =
    [
        ("momentum", o => o.Momentum is not null), ("dampening", o => o.Dampening is not null), ("nesterov", o => o.Nesterov is not null),
        ("beta1", o => o.Beta1 is not null), ("beta2", o => o.Beta2 is not null), ("eps", o => o.Eps is not null),
        ("amsgrad", o => o.AmsGrad is not null), ("alpha", o => o.Alpha is not null), ("centered", o => o.Centered is not null),
        ("lr_decay", o => o.LrDecay is not null), ("initial_accumulator_value", o => o.InitialAccumulatorValue is not null),
        ("rho", o => o.Rho is not null), ("momentum_decay", o => o.MomentumDecay is not null),
    ];

    /// <summary>
    /// The optimizer called <paramref name="name"/> (case-insensitive: sgd, adam, adamw, rmsprop, adagrad, adadelta,
    /// nadam) over <paramref name="parameters"/>; unset options take PyTorch's defaults.
    /// </summary>
    public static Optimizer Create(string name, IEnumerable<Tensor> parameters, OptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var o = options ?? new OptimizerOptions();
        switch (name.Trim().ToLowerInvariant())
        {
            case "sgd":
                Allow(o, "sgd", "momentum", "dampening", "nesterov");
                return new SGD(parameters, o.LearningRate ?? DefaultSgdLearningRate, o.Momentum ?? 0, o.Dampening ?? 0, o.WeightDecay ?? 0, o.Nesterov ?? false);
            case "adam":
                Allow(o, "adam", "beta1", "beta2", "eps", "amsgrad");
                return new Adam(parameters, o.LearningRate ?? 1e-3f, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Eps ?? 1e-8, o.WeightDecay ?? 0, o.AmsGrad ?? false);
            case "adamw":
                Allow(o, "adamw", "beta1", "beta2", "eps", "amsgrad");
                return new AdamW(parameters, o.LearningRate ?? 1e-3f, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Eps ?? 1e-8, o.WeightDecay ?? 1e-2, o.AmsGrad ?? false);
            case "rmsprop":
                Allow(o, "rmsprop", "alpha", "eps", "momentum", "centered");
                return new RMSprop(parameters, o.LearningRate ?? 1e-2f, o.Alpha ?? 0.99, o.Eps ?? 1e-8, o.WeightDecay ?? 0, o.Momentum ?? 0, o.Centered ?? false);
            case "adagrad":
                Allow(o, "adagrad", "lr_decay", "initial_accumulator_value", "eps");
                return new Adagrad(parameters, o.LearningRate ?? 1e-2f, o.LrDecay ?? 0, o.WeightDecay ?? 0, o.InitialAccumulatorValue ?? 0, o.Eps ?? 1e-10);
            case "adadelta":
                Allow(o, "adadelta", "rho", "eps");
                return new Adadelta(parameters, o.LearningRate ?? 1.0f, o.Rho ?? 0.9, o.Eps ?? 1e-6, o.WeightDecay ?? 0);
            case "nadam":
                Allow(o, "nadam", "beta1", "beta2", "eps", "momentum_decay");
                return new NAdam(parameters, o.LearningRate ?? 2e-3f, o.Beta1 ?? 0.9, o.Beta2 ?? 0.999, o.Eps ?? 1e-8, o.WeightDecay ?? 0, o.MomentumDecay ?? 4e-3);
            default:
                throw new ArgumentException($"Unknown optimizer '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
        }
    }

    // An option the optimizer does not have is an error, so a misplaced config value fails instead of being ignored.
    private static void Allow(OptimizerOptions o, string optimizer, params string[] allowed)
    {
        foreach (var (name, isSet) in Options)
            if (isSet(o) && Array.IndexOf(allowed, name) < 0)
                throw new ArgumentException($"The {optimizer} optimizer has no option '{name}': remove it or choose an optimizer that has it.");
    }
}
