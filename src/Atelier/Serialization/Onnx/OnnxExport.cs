using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Module = Atelier.Nn.Module;
using Atelier.Serialization.Onnx.Proto;
using Atelier.Tensors;
using Atelier.Training;
using Google.Protobuf;

namespace Atelier.Serialization.Onnx;

/// <summary>
/// A model as an ONNX file for ONNX Runtime and the other ONNX consumers: input "pixels" [N, C, H, W] of raw pixels in
/// [0, 1] (the normalisation runs inside the graph), output "logits" [N, classes], batch size free, eval-mode semantics.
/// </summary>
public static class OnnxExport
{
    public const string InputName = "pixels", OutputName = "logits", BatchDimension = "N";

    /// <summary>metadata_props keys: the checkpoint's own atelier.* names, plus the exporting version.</summary>
    public const string VersionKey = "atelier.version";

    /// <summary>The informational version of the Atelier library that writes the file.</summary>
    public static string AtelierVersion { get; } =
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The ONNX model of <paramref name="model"/>, described by <paramref name="description"/>, in operator set <paramref name="opset"/>.</summary>
    public static ModelProto Build(Module model, OnnxModelDescription description, int opset = OnnxOpset.Default)
    {
        if (!OnnxOpset.IsSupported(opset))
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"ONNX opset {opset} is not supported: choose one from {OnnxOpset.Min} to {OnnxOpset.Max}.");
        var d = description;
        var g = new OnnxGraphBuilder();
        var n = d.Normalization;
        // (x - mean) / std in the graph, the same float operations as Normalization.Apply, so callers pass raw pixels.
        string centred = g.Node("Sub", "normalize", [InputName, g.Float("normalize.mean", [], [n.Mean])]);
        string normalised = g.Node("Div", "normalize", [centred, g.Float("normalize.std", [], [n.Std])]);
        var shape = new Shape(1, d.Channels, d.Height, d.Width);
        string logits = OnnxLayers.Emit(g, model, "", normalised, ref shape);
        if (shape.Rank != 2 || shape[1] != d.ClassNames.Count)
            throw new ArgumentException($"The model {d.ModelName} outputs {shape} per image, not the {d.ClassNames.Count} class logits its description names.");
        if (logits == normalised) throw new ArgumentException($"The model {d.ModelName} has no layer that computes anything.");
        g.RenameLastOutput(logits, OutputName);

        var graph = new GraphProto { Name = d.ModelName, DocString = DocString(d) };
        graph.Node.AddRange(g.Nodes);
        graph.Initializer.AddRange(g.Initializers);
        graph.Input.Add(Value(InputName, $"raw pixels in [0, 1] (image / 255), [{BatchDimension}, {d.Channels}, {d.Height}, {d.Width}]",
            TensorShapeProto.Dimension.Named(BatchDimension), Fixed(d.Channels), Fixed(d.Height), Fixed(d.Width)));
        graph.Output.Add(Value(OutputName, $"class logits (softmax gives probabilities), [{BatchDimension}, {d.ClassNames.Count}]",
            TensorShapeProto.Dimension.Named(BatchDimension), Fixed(d.ClassNames.Count)));

        var proto = new ModelProto
        {
            IrVersion = OnnxOpset.IrVersion,
            ProducerName = "Atelier",
            ProducerVersion = AtelierVersion,
            DocString = DocString(d),
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Version = opset });
        foreach (var (key, value) in Metadata(d)) proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return proto;
    }

    /// <summary>A checkpoint as ONNX at <paramref name="path"/>, written atomically.</summary>
    public static void Save(Checkpoint checkpoint, string path, int opset = OnnxOpset.Default) =>
        Write(Build(checkpoint.Model, OnnxModelDescription.Of(checkpoint), opset), path);

    /// <summary>
    /// Writes <paramref name="model"/> to a temporary file beside <paramref name="path"/> and renames it over the path
    /// once complete, so a failure never leaves a half-written model.
    /// </summary>
    public static void Write(ModelProto model, string path)
    {
        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var output = new CodedOutputStream(stream, leaveOpen: true);
                model.WriteTo(output);
                output.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    private static string DocString(OnnxModelDescription d)
    {
        var c = CultureInfo.InvariantCulture;
        string input = string.Create(c, $"[{BatchDimension}, {d.Channels}, {d.Height}, {d.Width}]");
        string normalisation = string.Create(c, $"(x - {d.Normalization.Mean:R}) / {d.Normalization.Std:R}");
        string output = string.Create(c, $"[{BatchDimension}, {d.ClassNames.Count}]");
        return $"Atelier model '{d.ModelName}'. Input '{InputName}': raw pixels in [0, 1] (the 0-255 image divided by 255), float32 {input}; " +
            $"the normalisation {normalisation} is inside the graph, so do not normalise again. " +
            $"Output '{OutputName}': class logits {output} for the classes in metadata_props {CheckpointMetadata.Classes}; " +
            "softmax gives probabilities. Eval mode: batch norm uses its running statistics, dropout is left out; no test-time augmentation.";
    }

    private static IEnumerable<(string Key, string Value)> Metadata(OnnxModelDescription d)
    {
        yield return (CheckpointMetadata.Model, d.ModelName);
        yield return (CheckpointMetadata.Classes, JsonSerializer.Serialize(d.ClassNames));
        yield return (CheckpointMetadata.Input, string.Create(CultureInfo.InvariantCulture, $"{d.Channels},{d.Height},{d.Width}"));
        yield return (CheckpointMetadata.Mean, d.Normalization.Mean.ToString("R", CultureInfo.InvariantCulture));
        yield return (CheckpointMetadata.Std, d.Normalization.Std.ToString("R", CultureInfo.InvariantCulture));
        yield return (VersionKey, AtelierVersion);
    }

    private static ValueInfoProto Value(string name, string doc, params TensorShapeProto.Dimension[] dims) =>
        new() { Name = name, DocString = doc, Type = new TypeProto(TensorProto.DataType.Float, new TensorShapeProto(dims)) };

    private static TensorShapeProto.Dimension Fixed(int size) => TensorShapeProto.Dimension.Fixed(size);
}
