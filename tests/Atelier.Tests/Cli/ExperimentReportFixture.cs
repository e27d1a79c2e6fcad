using System.Diagnostics;
using System.Text;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli;

/// <summary>What one run of the `atelier` command printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Output);

/// <summary>
/// One tiny two-run experiment (mlp vs an augmented cnn-a, 2 epochs on 2,500 images) run once through the built
/// `atelier` command and shared by the experiment, report and browser tests; then run again to see it skip.
/// </summary>
internal static class ExperimentReportFixture
{
    public const string Name = "tiny";
    public static readonly string[] Labels = ["mlp", "cnn-a-augmented"];

    private static readonly Lazy<Shared> shared = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public sealed record Shared(string Root, string SpecPath, CliRun First, CliRun Second, Dictionary<string, DateTime> ResultsWrittenBeforeRerun)
    {
        public string ExperimentFolder => Path.Combine(Root, Name);
        public string ReportPath => Path.Combine(ExperimentFolder, "report.html");
        public string FiguresFolder => Path.Combine(ExperimentFolder, "report-figures");
    }

    public static Shared Get() => shared.Value;

    public const string Spec = """
        name: tiny
        description: "Two tiny runs for the report tests."
        base:
          epochs: 40
          batch-size: 64
          optimizer: adam
          lr: 0.002
          schedule: cosine
          weight-decay: 0
          label-smoothing: 0
          augment: false
          val-size: 10000
          seed: 3
        runs:
          - label: mlp
            model: mlp
          - label: cnn-a-augmented
            model: cnn-a
            augment: true
            rotate: 10
        """;

    private static Shared Create()
    {
        string root = TestData.TempDirectory();
        string spec = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(spec, Spec);
        var first = Atelier("experiment", spec, "--scale", "0.05", "--output", root, "--data", TestData.FashionMnistDirectory);
        var written = new Dictionary<string, DateTime>();
        foreach (var label in Labels)
        {
            string results = Path.Combine(root, Name, label, "results.json");
            if (File.Exists(results)) written[label] = File.GetLastWriteTimeUtc(results);
        }
        var second = Atelier("experiment", spec, "--scale", "0.05", "--output", root, "--data", TestData.FashionMnistDirectory);
        return new Shared(root, spec, first, second, written);
    }

    /// <summary>Runs the built CLI (Atelier.Cli.dll beside the tests) with `dotnet`, output redirected as in CI.</summary>
    public static CliRun Atelier(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Atelier.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"atelier {string.Join(' ', args)} did not finish in 3 minutes:\n{output}");
        }
        process.WaitForExit(); // drains the output events
        lock (output) return new CliRun(process.ExitCode, output.ToString());
    }
}
