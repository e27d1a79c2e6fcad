using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Weight initialisation, as torch.nn.init: fills tensors in place from a seeded <see cref="Rng"/>.</summary>
public static class Init
{
    /// <summary>
    /// Re-initialises every leaf module (one without children) that has a rank-2 (Linear) or rank-4 (Conv2d)
    /// parameter named "weight": the weight gets <paramref name="scheme"/> and a "bias" is zeroed, as is usual when
    /// re-initialising in PyTorch; <see cref="InitScheme.Default"/> calls the module's ResetParameters instead.
    /// Other modules (batch norm's rank-1 weight included) are left alone. Modules are visited in state-dict order.
    /// </summary>
    public static void Apply(Module model, InitScheme scheme, Rng rng, float normalStd = 0.01f, float mean = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(normalStd >= 0)) throw new ArgumentOutOfRangeException(nameof(normalStd), $"The standard deviation must be ≥ 0, got {normalStd}.");
        foreach (var (_, module) in model.Modules())
        {
            if (module.Children().Any()) continue;
            Tensor? weight = null, bias = null;
            foreach (var (name, tensor) in module.NamedParameters())
            {
                if (name == "weight") weight = tensor;
                else if (name == "bias") bias = tensor;
            }
            if (weight is null || (weight.Shape.Rank != 2 && weight.Shape.Rank != 4)) continue;
            if (scheme == InitScheme.Default)
            {
                module.ResetParameters(rng);
                continue;
            }
            switch (scheme)
            {
                case InitScheme.XavierNormal: XavierNormal(weight, rng); break;
                case InitScheme.XavierUniform: XavierUniform(weight, rng); break;
                case InitScheme.HeNormal: KaimingNormal(weight, rng); break;
                case InitScheme.HeUniform: KaimingUniform(weight, rng); break;
                case InitScheme.Normal: Normal(weight, rng, mean, normalStd); break;
                case InitScheme.Zeros: weight.Span.Clear(); break;
                case InitScheme.ByLayerType:
                    if (weight.Shape.Rank == 2) Normal(weight, rng, 0, normalStd);
                    else KaimingNormal(weight, rng);
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(scheme), $"Unknown initialisation scheme {scheme}.");
            }
            bias?.Span.Clear();
        }
    }

    /// <summary>
    /// (fan_in, fan_out) of a weight as torch.nn.init computes them: [out, in] or [out, in, kh, kw], the receptive
    /// field (kh·kw) multiplying both.
    /// </summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2) throw new ArgumentException($"Fans need a weight of rank 2 or more, got shape {shape}.");
        int receptive = shape.SizeFrom(2);
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain ("linear", "relu", "leaky_relu", "tanh", "sigmoid").</summary>
    public static float Gain(string nonlinearity, float negativeSlope = 0.01f) => nonlinearity switch
    {
        "linear" or "conv2d" or "sigmoid" => 1f,
        "tanh" => 5f / 3,
        "relu" => MathF.Sqrt(2f),
        "leaky_relu" => MathF.Sqrt(2f / (1 + negativeSlope * negativeSlope)),
        _ => throw new ArgumentException($"Unknown nonlinearity '{nonlinearity}': use linear, sigmoid, tanh, relu or leaky_relu.", nameof(nonlinearity)),
    };

    public static void Normal(Tensor tensor, Rng rng, float mean, float std)
    {
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = rng.Normal(mean, std);
    }

    public static void Uniform(Tensor tensor, Rng rng, float low, float high)
    {
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++) span[i] = rng.Uniform(low, high);
    }

    /// <summary>N(0, gain²·2/(fan_in + fan_out)).</summary>
    public static void XavierNormal(Tensor weight, Rng rng, float gain = 1)
    {
        var (fanIn, fanOut) = Fans(weight.Shape);
        Normal(weight, rng, 0, gain * MathF.Sqrt(2f / (fanIn + fanOut)));
    }

    /// <summary>U(±gain·√(6/(fan_in + fan_out))).</summary>
    public static void XavierUniform(Tensor weight, Rng rng, float gain = 1)
    {
        var (fanIn, fanOut) = Fans(weight.Shape);
        float bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        Uniform(weight, rng, -bound, bound);
    }

    /// <summary>kaiming_normal_(mode="fan_in", nonlinearity="leaky_relu", a): N(0, gain²/fan_in); a = 0 is ReLU's He init.</summary>
    public static void KaimingNormal(Tensor weight, Rng rng, float a = 0)
    {
        float gain = MathF.Sqrt(2f / (1 + a * a));
        Normal(weight, rng, 0, gain / MathF.Sqrt(Fans(weight.Shape).FanIn));
    }

    /// <summary>kaiming_uniform_(mode="fan_in", a): U(±gain·√(3/fan_in)); a = √5 is PyTorch's default for Linear and Conv2d weights.</summary>
    public static void KaimingUniform(Tensor weight, Rng rng, float a = 0)
    {
        float gain = MathF.Sqrt(2f / (1 + a * a));
        float bound = gain * MathF.Sqrt(3f / Fans(weight.Shape).FanIn);
        Uniform(weight, rng, -bound, bound);
    }
}
