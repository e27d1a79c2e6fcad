using System.Globalization;
using System.Text.Json;
using Atelier.Data;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>
/// A saved model that is enough on its own to predict: the weights plus, in the safetensors metadata, the zoo model
/// name, input size, normalisation, class names and the run's options.
/// </summary>
public sealed record Checkpoint(string Path, Module Model, string ModelName, Normalization Normalization, IReadOnlyList<string> ClassNames, TrainOptions Options)
{
    public static Checkpoint Load(string path)
    {
        var file = Safetensors.Load(path);
        var m = file.Metadata;
        if (!m.TryGetValue("atelier.model", out var modelName))
            throw new InvalidModelFileException(path, $"{path} is a safetensors file but not an Atelier checkpoint: its metadata names no model.");
        var classes = JsonSerializer.Deserialize<string[]>(m.GetValueOrDefault("atelier.classes", "[]")) ?? [];
        var dims = m.GetValueOrDefault("atelier.input", "1,28,28").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var pairs = JsonSerializer.Deserialize<Dictionary<string, string>>(m.GetValueOrDefault("atelier.options", "{}")) ?? [];
        var options = TrainOptionTable.FromPairs(pairs);
        var model = ModelZoo.Get(modelName).Build(options.ModelOptionsFor(dims[0], dims[1], dims[2], classes.Length));
        try
        {
            model.LoadStateDict(file.Tensors);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelFileException(path, $"{path}: {e.Message}");
        }
        model.Eval();
        var normalization = new Normalization(float.Parse(m.GetValueOrDefault("atelier.mean", "0"), CultureInfo.InvariantCulture),
            float.Parse(m.GetValueOrDefault("atelier.std", "1"), CultureInfo.InvariantCulture));
        return new Checkpoint(path, model, modelName, normalization, classes, options);
    }

    /// <summary>A run folder's best checkpoint, or the file itself.</summary>
    public static string Resolve(string runOrFile, string runsRoot)
    {
        if (File.Exists(runOrFile)) return runOrFile;
        foreach (var folder in new[] { runOrFile, System.IO.Path.Combine(runsRoot, runOrFile) })
        {
            string best = System.IO.Path.Combine(folder, RunFolder.BestCheckpoint);
            if (File.Exists(best)) return best;
        }
        throw new FileNotFoundException($"No checkpoint '{runOrFile}': give a .safetensors file, a run folder, or a run id under '{runsRoot}'.");
    }

    /// <summary>Class probabilities for one 28x28 byte image (as the dataset stores them).</summary>
    public float[] Predict(ReadOnlySpan<byte> image, int height, int width)
    {
        var input = new Tensor(new Shape(1, 1, height, width));
        var table = Normalization.ByteTable();
        var span = input.Span;
        for (int i = 0; i < span.Length; i++) span[i] = table[image[i]];
        using (Autograd.Tape.NoGrad())
        {
            var logits = Model.Forward(input).Span;
            var probs = new float[logits.Length];
            Kernels.Softmax.Forward(probs, logits, 1, probs.Length, 1);
            if (!Options.UsesFlipTta) return probs;
            // Test-time augmentation, as the run was evaluated: the mirror image's probabilities averaged in.
            for (int row = 0; row < height; row++) span.Slice(row * width, width).Reverse();
            var mirrored = new float[probs.Length];
            Kernels.Softmax.Forward(mirrored, Model.Forward(input).Span, 1, mirrored.Length, 1);
            System.Numerics.Tensors.TensorPrimitives.Add(probs, mirrored, probs);
            System.Numerics.Tensors.TensorPrimitives.Multiply(probs, 0.5f, probs);
            return probs;
        }
    }
}
