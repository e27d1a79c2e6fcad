using System.Globalization;
using System.Text.RegularExpressions;
using Atelier.Serialization;
using Atelier.Serialization.Onnx;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier export RUN|CHECKPOINT [--format onnx|safetensors] [-o FILE] [--opset N]`: a saved model for other runtimes,
/// as ONNX (raw pixels in, logits out) or as a plain safetensors state dict that PyTorch loads by name.
/// </summary>
public static partial class ExportCommand
{
    private static readonly string Usage =
        $"Usage: atelier export RUN|CHECKPOINT [--format onnx|safetensors] [-o FILE] [--opset {OnnxOpset.Min}-{OnnxOpset.Max}] [--runs DIR].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("format", "onnx|safetensors", "what to write (default onnx)"),
        CliOption.Value("output", "FILE", "where to write it (default: model.onnx in the run's folder, or NAME.onnx beside a checkpoint file)", alias: "-o"),
        CliOption.Value("opset", "N", $"the ONNX operator set, {OnnxOpset.Min} to {OnnxOpset.Max} (default {OnnxOpset.Default})"),
        CliOption.Value("runs", "DIR", "the runs folder a run id is looked up in (default: runs)"),
    ];

    public static CliCommand Definition { get; } = new("export", "a saved model as ONNX (raw pixels in, logits out) or a plain safetensors state dict", "RUN|CHECKPOINT", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count != 1)
            throw new UsageException(parsed.Positional.Count == 0 ? Usage : $"One run or checkpoint at a time; got {parsed.Positional.Count}. {Usage}");
        string format = (parsed.Value("format") ?? "onnx").ToLowerInvariant();
        if (format is not ("onnx" or "safetensors"))
            throw new UsageException($"--format must be onnx or safetensors, got '{parsed.Value("format")}'.");
        int opset = Opset(parsed.Value("opset"), format);
        string? output = parsed.Value("output");
        if (output is not null && output.Trim().Length == 0) throw new UsageException("--output needs a file name, got an empty value.");
        if (output is not null && Directory.Exists(output)) throw new UsageException($"--output: '{output}' is a folder; name the .{format} file to write.");

        string target = parsed.Positional[0];
        string checkpointPath = Checkpoint.Resolve(target, parsed.Value("runs") ?? new TrainOptions().Output);
        var checkpoint = Checkpoint.Load(checkpointPath);
        output ??= DefaultOutput(target, checkpointPath, format);
        if (Path.GetFullPath(output) == Path.GetFullPath(checkpointPath))
            throw new UsageException($"--output: '{output}' is the checkpoint being exported; name another file.");
        CheckFolder(output);

        // Everything is read and built before the output is opened, so a write failure is only ever the output's.
        var onnx = format == "onnx" ? OnnxExport.Build(checkpoint.Model, OnnxModelDescription.Of(checkpoint), opset) : null;
        var metadata = Safetensors.Load(checkpointPath).Metadata;
        try
        {
            if (onnx is not null) OnnxExport.Write(onnx, output);
            else Safetensors.SaveModel(output, checkpoint.Model, metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--output: '{output}' could not be written ({Reason(e)}).", e);
        }
        string what = format == "onnx" ? string.Create(CultureInfo.InvariantCulture, $"ONNX opset {opset}, input raw pixels in [0, 1]") : "safetensors state dict";
        AnsiConsole.MarkupLine($"Exported [bold]{Markup.Escape(checkpoint.ModelName)}[/] ({Markup.Escape(what)}): [link]{Markup.Escape(Path.GetFullPath(output))}[/]");
        return 0;
    }

    /// <summary>Why a write failed, in words that name no temporary file (the writer's own .tmp beside the output).</summary>
    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException or DirectoryNotFoundException => "its folder does not accept new files",
        _ => TempFile().Replace(e.Message, "").Trim().TrimEnd('.', ':', ' '),
    };

    [GeneratedRegex(@"\s*:?\s*'[^']*\.tmp'")]
    private static partial Regex TempFile();

    private static int Opset(string? text, string format)
    {
        if (text is null) return OnnxOpset.Default;
        if (format != "onnx") throw new UsageException("--opset applies to --format onnx only.");
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int opset) || !OnnxOpset.IsSupported(opset))
            throw new UsageException($"--opset must be a whole number from {OnnxOpset.Min} to {OnnxOpset.Max}, got '{text}'.");
        return opset;
    }

    /// <summary>model.FORMAT in a run's folder; NAME.FORMAT beside a checkpoint file given by path.</summary>
    private static string DefaultOutput(string target, string checkpointPath, string format) =>
        File.Exists(target)
            ? Path.ChangeExtension(checkpointPath, "." + format)
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, "model." + format);

    /// <summary>The output's folder must exist and be a folder: said with the option and the path, not the temporary file's name.</summary>
    private static void CheckFolder(string output)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (File.Exists(folder)) throw new IOException($"--output: '{output}' cannot be written: '{folder}' is a file, not a folder.");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--output: '{output}' cannot be written: the folder '{folder}' does not exist.");
    }
}
