using System.Diagnostics;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>A [Fact] that is skipped, with the reason, where no python3 can import onnx (Debian: python3-onnx).</summary>
public sealed class OnnxCheckerFactAttribute : FactAttribute
{
    /// <summary>Debian's interpreter, where apt's python3-onnx lives, rather than a pyenv python3 found first on PATH.</summary>
    public static string Python { get; } = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static readonly Lazy<bool> HasOnnx = new(() => Run(Python, "-c", "import onnx").ExitCode == 0);

    public OnnxCheckerFactAttribute()
    {
        if (!HasOnnx.Value) Skip = $"`{Python} -c \"import onnx\"` fails: install Debian's python3-onnx (apt-get install -y python3-onnx) to run onnx.checker on the exports.";
    }

    public static (int ExitCode, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
