using Atelier.Data;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Serialization.Onnx;
using Atelier.Tensors;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>
/// Every zoo model, and the fully connected ones also reading patches (--patch 7, and 4 for mlp), with seeded random
/// weights and batch-norm layers whose running statistics and affine parameters are far from their 0/1 defaults.
/// </summary>
internal static class ZooCases
{
    public static readonly Normalization Normalization = new(0.2860f, 0.3530f);

    public static IEnumerable<(string Label, string Model, int Patch)> All()
    {
        foreach (var info in ModelZoo.All) yield return (info.Name, info.Name, 0);
        foreach (var info in ModelZoo.All.Where(IsFullyConnected)) yield return ($"{info.Name} --patch 7", info.Name, 7);
        yield return ("mlp --patch 4", "mlp", 4);
    }

    public static TheoryData<string, string, int> Theory()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (label, model, patch) in All()) data.Add(label, model, patch);
        return data;
    }

    public static Module Create(string model, int patch, int seed = 11)
    {
        var rng = new Rng((ulong)seed);
        var module = ModelZoo.Create(model, new ModelOptions { Patch = patch }, rng);
        foreach (var (_, layer) in module.Modules())
        {
            if (layer is not BatchNorm bn) continue;
            Fill(bn.RunningMean.Span, rng, -0.5f, 0.5f);
            Fill(bn.RunningVar.Span, rng, 0.5f, 2f);
            Fill(bn.Weight.Span, rng, 0.5f, 1.5f);
            Fill(bn.Bias.Span, rng, -0.3f, 0.3f);
        }
        module.Eval();
        return module;
    }

    public static OnnxModelDescription Description(string model) =>
        new(model, 1, 28, 28, Normalization, FashionMnist.ClassNames);

    /// <summary>Raw pixels in [0, 1] as byte/255, like a dataset image.</summary>
    public static float[] Pixels(int batch, int seed)
    {
        var rng = new Rng((ulong)seed);
        var pixels = new float[batch * 28 * 28];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.NextInt(256) / 255f;
        return pixels;
    }

    /// <summary>Atelier's eval-mode logits, the normalisation applied on this side.</summary>
    public static float[] AtelierLogits(Module model, float[] pixels, int batch)
    {
        var input = new Tensor(new Shape(batch, 1, 28, 28));
        var span = input.Span;
        for (int i = 0; i < span.Length; i++) span[i] = Normalization.Apply(pixels[i]);
        using (Autograd.Tape.NoGrad()) return model.Forward(input).Span.ToArray();
    }

    /// <summary>Whether the model takes --patch: the zoo refuses it, with an ArgumentException, for the models that read whole images.</summary>
    private static bool IsFullyConnected(ModelInfo info)
    {
        try
        {
            info.Build(new ModelOptions { Patch = 7 });
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Fill(Span<float> values, Rng rng, float low, float high)
    {
        for (int i = 0; i < values.Length; i++) values[i] = rng.Uniform(low, high);
    }
}
