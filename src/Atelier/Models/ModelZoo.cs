using Atelier.Nn;

namespace Atelier.Models;

/// <summary>Every model by its stable name (spec.md's zoo). Names are what users type: keep them stable.</summary>
public static class ModelZoo
{
    public const string DefaultModel = "cnn-deep-bn";

    public static IReadOnlyList<ModelInfo> All { get; } =
    [
        new("mlp", "000/001 ANN", "784 → 392 → 196 → 98 → 10, ReLU", Mlps.Mlp),
        new("mlp-bn", "000/001 ANN (modified)", "as mlp, hidden blocks Linear → ReLU → BN → Dropout 0.2", Mlps.MlpBn),
        new("mlp4", "002 model 1", "500 → 250 → 250, ReLU + dropout", Mlps.Mlp4),
        new("mlp-custom", "002 model 2", "900 → 500 → 450 → 250, LeakyReLU + dropout", Mlps.MlpCustom),
        new("dense32", "003 initial NN", "one hidden layer of 32 sigmoid units", Mlps.Dense32),
        new("mlp-dropout", "003 dropout ANN", "128 ReLU units, dropout 0.2", Mlps.MlpDropout),
        new("mlp-deep", "003 deep ANN", "256 → 128 → 64, ReLU + dropout 0.2", Mlps.MlpDeep),
        new("cnn", "performance.md small CNN", "conv 32, conv 64 (BN, ReLU, pool), FC 128 + dropout", Cnns.Cnn),
        new("cnn-wide", "000/001 CNN", "conv 128,128,pool,256,256 (ReLU, BN, DO 0.2), GAP, FC 128, FC 64", Cnns.CnnWide),
        new("cnn-a", "002 model 3", "conv 4 + BN, conv 4 + BN, Linear 196 → 10", Cnns.CnnA),
        new("cnn-b", "002 model 4", "conv 32 pad (1,0), pool, FC 100", Cnns.CnnB),
        new("cnn-c", "002 model 5", "conv 32 pad (1,0), pool, conv 4 + BN, pool, FC 100, FC 150", Cnns.CnnC),
        new("cnn-simple", "003 simple CNN", "conv 32, pool, conv 64, pool, FC 128 (valid padding)", Cnns.CnnSimple),
        new("cnn-dropout", "003 dropout CNN", "simple CNN + dropout 0.25, 0.25, 0.5", Cnns.CnnDropout),
        new("cnn-deep-bn", "003 deep CNN with BN; the default", "2x conv 32, 2x conv 64 with BN, FC 512 + BN", Cnns.CnnDeepBn),
        new("cnn-basic", "004 baseline", "conv 32, conv 64, FC 600, FC 120, no regularisation", Cnns.CnnBasic),
        new("cnn-better", "004 better", "cnn-basic + dropout 0.5 on the hidden FC layers", Cnns.CnnBetter),
        new("vgg11", "002 (failed attempt)", "VGG-11 with BN, 4 pools for 28x28", Vggs.Vgg11),
        new("vgg16", "003 VGG-16", "VGG-16 with BN, 4 pools for 28x28", Vggs.Vgg16),
        new("resnet", "reports' future work", "ResNet: stages 32/64/128, 2 basic blocks each", ResNets.ResNet),
        new("resnet-small", "reports' future work", "ResNet: stages 16/32/64, 1 basic block each", ResNets.ResNetSmall),
        new("resnet9", "DAWNBench ResNet-9, half width", "conv 32, 64 + pool + residual, 128 + pool, 256 + pool + residual", ResNets.ResNet9),
    ];

    public static ModelInfo Get(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>Builds the named model with PyTorch's default initialisation drawn from <paramref name="rng"/>.</summary>
    public static Module Create(string name, ModelOptions options, Tensors.Rng rng)
    {
        var model = Get(name).Build(options);
        model.ResetAllParameters(rng);
        return model;
    }
}
