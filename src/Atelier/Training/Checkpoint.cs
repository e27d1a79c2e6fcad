using Atelier.Data;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Nn.Inference;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>
/// A saved model that is enough on its own to predict: the weights plus, in the safetensors metadata, the zoo model
/// name, input size, normalisation, class names and the run's options.
/// </summary>
public sealed record Checkpoint(string Path, Module Model, string ModelName, Normalization Normalization, IReadOnlyList<string> ClassNames, TrainOptions Options)
{
    /// <summary>
    /// A second copy of the weights folded for prediction (<see cref="InferenceFolding"/>: batch norm inside the layers,
    /// no dropout, ReLU in place): what predictions and evaluations run. <see cref="Model"/> stays the trained module,
    /// for export, its state and its layers; the two share no buffers, so one can run while the other does.
    /// </summary>
    public Module Inference { get; init; } = Model;

    /// <summary>
    /// <see cref="Inference"/> with single images on one thread or on the pool, and batches whole or in slices,
    /// whichever is faster for this model (<see cref="Nn.Inference.Predictor"/>): what predictions run.
    /// </summary>
    public Predictor Predictor => predictor is { } p && p.Model == Inference ? p : predictor = new Predictor(Inference);

    private Predictor? predictor;

    /// <summary>
    /// Loads a checkpoint. Anything wrong with the file (its format, a metadata value, weights that do not fit the
    /// model it names or that hold NaN or infinity) throws <see cref="InvalidModelFileException"/> with one sentence.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        var file = Safetensors.Load(path);
        var m = file.Metadata;
        string modelName = CheckpointMetadata.ModelName(path, m);
        var classes = CheckpointMetadata.ClassNames(path, m);
        var (channels, height, width) = CheckpointMetadata.InputShape(path, m);
        var normalization = new Normalization(CheckpointMetadata.MeanValue(path, m), CheckpointMetadata.StdValue(path, m));
        var options = ReadOptions(path, m);
        var info = ModelZoo.All.FirstOrDefault(i => string.Equals(i.Name, modelName, StringComparison.OrdinalIgnoreCase))
            ?? throw CheckpointMetadata.Bad(path, CheckpointMetadata.Model, modelName,
                $"not a model Atelier knows (known models: {string.Join(", ", ModelZoo.All.Select(i => i.Name))})");
        CheckFinite(path, file);

        Module model;
        try
        {
            model = info.Build(options.ModelOptionsFor(channels, height, width, classes.Length));
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelFileException(path,
                $"{path} describes a model that cannot be built ({CheckpointMetadata.Model} {info.Name} on {channels}x{height}x{width} images with its {CheckpointMetadata.Options}): {Clause(e.Message)}.", e);
        }
        try
        {
            model.LoadStateDict(file.Tensors);
        }
        catch (InvalidDataException e)
        {
            throw ClassCountMismatch(path, model, file, classes.Length, e) ?? new InvalidModelFileException(path, $"{path}: {e.Message}", e);
        }
        model.Eval();
        var copy = info.Build(options.ModelOptionsFor(channels, height, width, classes.Length));
        copy.LoadStateDict(file.Tensors);
        return new Checkpoint(path, model, info.Name, normalization, classes, options) { Inference = InferenceFolding.Fold(copy) };
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
            var logits = Predictor.Forward(input).Span;
            var probs = new float[logits.Length];
            Kernels.Softmax.Forward(probs, logits, 1, probs.Length, 1);
            if (!Options.UsesFlipTta) return probs;
            // Test-time augmentation, as the run was evaluated: the mirror image's probabilities averaged in.
            for (int row = 0; row < height; row++) span.Slice(row * width, width).Reverse();
            var mirrored = new float[probs.Length];
            Kernels.Softmax.Forward(mirrored, Predictor.Forward(input).Span, 1, mirrored.Length, 1);
            System.Numerics.Tensors.TensorPrimitives.Add(probs, mirrored, probs);
            System.Numerics.Tensors.TensorPrimitives.Multiply(probs, 0.5f, probs);
            return probs;
        }
    }

    /// <summary>The run's options through the option table, which refuses (ArgumentException) what a run could not have had.</summary>
    private static TrainOptions ReadOptions(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var pairs = CheckpointMetadata.OptionPairs(path, metadata);
        try
        {
            var options = TrainOptionTable.FromPairs(pairs);
            options.Validate();
            return options;
        }
        catch (ArgumentException e)
        {
            throw new InvalidModelFileException(path, $"{path} has a bad {CheckpointMetadata.Options} in its metadata: {Clause(e.Message)}.", e);
        }
    }

    /// <summary>A diverged run saves NaN or infinite weights; its predictions would be NaN, so it is refused by name.</summary>
    private static void CheckFinite(string path, SafetensorsFile file)
    {
        foreach (var name in file.Names)
        {
            var values = file.Tensors[name].Span;
            if (AllFinite(values)) continue;
            string what = HasNaN(values) ? "NaN" : "infinite";
            throw new InvalidModelFileException(path, $"{path} is not a usable checkpoint: its tensor '{name}' holds {what} values: the run it came from diverged.");
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values) if (!float.IsFinite(v)) return false;
        return true;
    }

    private static bool HasNaN(ReadOnlySpan<float> values)
    {
        foreach (float v in values) if (float.IsNaN(v)) return true;
        return false;
    }

    /// <summary>
    /// When the weights differ from the model only in the size of its output (the first axis of the layers sized by the
    /// class count), the class list and the weights disagree: said so, rather than "a different model".
    /// </summary>
    private static InvalidModelFileException? ClassCountMismatch(string path, Module model, SafetensorsFile file, int classes, Exception inner)
    {
        foreach (var entry in model.StateDict())
        {
            if (!file.Tensors.TryGetValue(entry.Name, out var saved) || saved.Shape == entry.Tensor.Shape) continue;
            var own = entry.Tensor.Shape;
            if (own.Rank == 0 || saved.Shape.Rank != own.Rank || own[0] != classes) return null;
            for (int axis = 1; axis < own.Rank; axis++) if (saved.Shape[axis] != own[axis]) return null;
            return new InvalidModelFileException(path,
                $"{path} has {classes} class names in {CheckpointMetadata.Classes} but its tensor '{entry.Name}' has {saved.Shape[0]} outputs; the class list and the weights disagree.", inner);
        }
        return null;
    }

    /// <summary>Another message as a clause of ours: lowercase start, no final period, inner sentences joined by semicolons.</summary>
    private static string Clause(string message)
    {
        message = message.TrimEnd('.', ' ').Replace(". ", "; ", StringComparison.Ordinal);
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }
}
