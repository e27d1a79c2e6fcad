using Atelier.Tests.Cli;
using Atelier.Tests.Cli.Catalogue;
using Atelier.Tests.Data;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>
/// `atelier export` given what a user might get wrong: one sentence on stderr naming the problem (and the option and
/// path where it is the output's), the CLI's exit code (2 for the command line, 1 for a file), and no file written,
/// neither the output nor a temporary one. {ws} is the bad-input workspace, {out} an empty folder, {run} a good run.
/// </summary>
[Collection("console")]
public sealed class ExportBadInputTests
{
    public static TheoryData<string, string, int, string[]> Cases() => new()
    {
        { "no argument", "Usage: atelier export", 2, [] },
        { "two runs", "One run or checkpoint at a time", 2, ["{run}", "{run}"] },
        { "unknown run", "No checkpoint 'nope'", 1, ["nope"] },
        { "folder without a checkpoint", "No checkpoint", 1, ["{ws}/not-a-run"] },
        { "text file", "ckpt-text.safetensors", 1, ["{ws}/ckpt-text.safetensors"] },
        { "empty file", "ckpt-empty.safetensors", 1, ["{ws}/ckpt-empty.safetensors"] },
        { "truncated checkpoint", "ckpt-truncated.safetensors", 1, ["{ws}/ckpt-truncated.safetensors"] },
        { "unknown model", "'mlp-9000' is not a model Atelier knows", 1, ["{ws}/ckpt-unknown-model.safetensors"] },
        { "no model named", "names no model", 1, ["{ws}/ckpt-no-model.safetensors"] },
        { "NaN weights", "holds NaN values", 1, ["{ws}/ckpt-nan.safetensors"] },
        { "bad input size", "atelier.input", 1, ["{ws}/ckpt-bad-input.safetensors"] },
        { "bad classes", "atelier.classes", 1, ["{ws}/ckpt-bad-classes.safetensors"] },
        { "unknown format", "--format must be onnx or safetensors, got 'onnnx'", 2, ["{run}", "--format", "onnnx", "-o", "{out}/m.onnx"] },
        { "opset too low", "--opset must be a whole number from 13 to 17, got '12'", 2, ["{run}", "--opset", "12", "-o", "{out}/m.onnx"] },
        { "opset too high", "--opset must be a whole number from 13 to 17, got '18'", 2, ["{run}", "--opset", "18", "-o", "{out}/m.onnx"] },
        { "opset not a number", "--opset must be a whole number from 13 to 17, got 'latest'", 2, ["{run}", "--opset", "latest", "-o", "{out}/m.onnx"] },
        { "opset for safetensors", "--opset applies to --format onnx only", 2, ["{run}", "--format", "safetensors", "--opset", "17", "-o", "{out}/m.safetensors"] },
        { "misspelt option", "Did you mean '--opset'?", 2, ["{run}", "--opsett", "17"] },
        { "output is a folder", "--output: '{out}' is a folder; name the .onnx file to write", 2, ["{run}", "-o", "{out}"] },
        { "output empty", "--output needs a file name", 2, ["{run}", "-o", ""] },
        { "output under a file", "--output: '{ws}/trouser.png/model.onnx' cannot be written: '{ws}/trouser.png' is a file, not a folder", 1, ["{run}", "-o", "{ws}/trouser.png/model.onnx"] },
        { "output folder missing", "--output: '{out}/missing/model.onnx' cannot be written: the folder '{out}/missing' does not exist", 1, ["{run}", "-o", "{out}/missing/model.onnx"] },
        { "output unwritable", "--output: '/sys/atelier-export.onnx' could not be written (permission denied)", 1, ["{run}", "-o", "/sys/atelier-export.onnx"] },
        { "output is the checkpoint", "is the checkpoint being exported; name another file", 2, ["{run}/best.safetensors", "--format", "safetensors"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_export_gets_one_sentence_an_exit_code_and_writes_nothing(string name, string fragment, int exitCode, string[] args)
    {
        var ws = BadInputWorkspace.Instance;
        string output = TestData.TempDirectory();
        string Expand(string a) => a.Replace("{ws}", ws.Root).Replace("{out}", output).Replace("{run}", ws.GoodRun);
        var before = Written(ws.Root);

        var r = InProcessCli.Run(["export", .. args.Select(Expand)]);

        Assert.True(r.ExitCode == exitCode, $"{name}: exit {r.ExitCode}\n{r.Output}");
        CliRunner.AssertOneSentenceError(r, Expand(fragment), exitCode);
        Assert.DoesNotContain("Exception", r.Output);
        Assert.DoesNotContain(".tmp", r.Stderr);
        Assert.Empty(Written(output));
        Assert.Equal(before, Written(ws.Root));
        Assert.False(File.Exists("/sys/atelier-export.onnx"));
    }

    /// <summary>Every exported or temporary file under a folder.</summary>
    private static string[] Written(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".onnx", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal) || f.EndsWith("model.safetensors", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
}
