using System.Xml.Linq;
using Atelier.Cli;
using Atelier.Experiments;
using Atelier.Reports;
using Atelier.Tests.Data;
using Atelier.Tests.Reports;
using Atelier.Training;

namespace Atelier.Tests.Cli;

/// <summary>
/// `atelier experiment` and `atelier report` end to end on real data: run folders, store rows, skipping on a rerun,
/// resuming after Ctrl+C, and every figure of the report.
/// </summary>
public sealed class ExperimentReportTests
{
    /// <summary>The figure files the tiny experiment's report must have (section number stripped).</summary>
    private static readonly string[] ExpectedFigures =
    [
        "validation-accuracy-per-epoch", "validation-loss-per-epoch", "training-loss-per-epoch", "metric-comparison",
        "rolling-validation-accuracy", "training-time", "dataset-samples",
        "mlp-loss-per-epoch", "mlp-accuracy-per-epoch", "mlp-learning-rate", "mlp-confusion-matrix", "mlp-confusion-matrix-normalised",
        "mlp-precision-recall-and-f1-per-class", "mlp-example-predictions", "mlp-first-layer-filters",
        "cnn-a-augmented-loss-per-epoch", "cnn-a-augmented-accuracy-per-epoch", "cnn-a-augmented-learning-rate",
        "cnn-a-augmented-confusion-matrix", "cnn-a-augmented-confusion-matrix-normalised", "cnn-a-augmented-augmentation-examples",
        "cnn-a-augmented-example-predictions", "cnn-a-augmented-first-layer-filters", "cnn-a-augmented-feature-maps",
    ];

    [Fact]
    public void Experiment_trains_every_run_into_its_folder_and_tags_the_store()
    {
        var x = ExperimentReportFixture.Get();
        Assert.True(x.First.ExitCode == 0, x.First.Output);
        Assert.Contains("run 1/2: mlp", x.First.Output);
        Assert.Contains("run 2/2: cnn-a-augmented", x.First.Output);
        Assert.Contains("test acc", x.First.Output); // the comparison table
        foreach (var label in ExperimentReportFixture.Labels)
        {
            var folder = new RunFolder(Path.Combine(x.ExperimentFolder, label));
            foreach (var file in new[] { RunFolder.OptionsFile, RunFolder.HistoryJson, RunFolder.BestCheckpoint, RunFolder.ResultsJson, Results.PredictionsCsv })
                Assert.True(File.Exists(folder.File(file)), $"{label} has no {file}");
            Assert.Equal(2, folder.ReadHistory().Count); // 40 epochs at scale 0.05
            var options = folder.ReadOptions();
            Assert.Equal(2500, options.TrainSize);
            Assert.Equal("tiny", options.Experiment);
        }
        using var store = new RunStore(Path.Combine(Path.GetDirectoryName(x.ExperimentFolder)!, "atelier.db"));
        var rows = store.Runs("tiny");
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("finished", r.Status));
        Assert.All(rows, r => Assert.StartsWith("tiny/", r.Id));
        Assert.Equal(ExperimentReportFixture.Labels.Order(), rows.Select(r => Path.GetFileName(r.Folder)).Order());
        Assert.All(rows, r => Assert.True(store.FinalMetrics(r.Id)["test_accuracy"] > 0.4, $"{r.Id}: test accuracy too low"));
    }

    [Fact]
    public void Running_the_experiment_again_skips_the_finished_runs()
    {
        var x = ExperimentReportFixture.Get();
        Assert.True(x.Second.ExitCode == 0, x.Second.Output);
        Assert.Contains("run 1/2: mlp is finished: skipped.", x.Second.Output);
        Assert.Contains("run 2/2: cnn-a-augmented is finished: skipped.", x.Second.Output);
        Assert.DoesNotContain("epoch   1", x.Second.Output);
        foreach (var label in ExperimentReportFixture.Labels)
            Assert.Equal(x.ResultsWrittenBeforeRerun[label], File.GetLastWriteTimeUtc(Path.Combine(x.ExperimentFolder, label, RunFolder.ResultsJson)));
        using var store = new RunStore(Path.Combine(Path.GetDirectoryName(x.ExperimentFolder)!, "atelier.db"));
        Assert.Equal(2, store.Runs("tiny").Count);
    }

    [Fact]
    public void The_experiment_report_has_every_figure_as_well_formed_svg_with_the_runs_in_the_legends()
    {
        var x = ExperimentReportFixture.Get();
        Assert.True(File.Exists(x.ReportPath), x.Second.Output);
        string html = File.ReadAllText(x.ReportPath);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.Contains("data:image/png;base64,", html);
        foreach (var table in new[] { "Key metrics", "mlp: classification report", "mlp: architecture", "cnn-a-augmented: architecture" })
            Assert.Contains($"<h2>{table}</h2>", html);
        Assert.Contains("Conv2d(1 -&gt; 4, kernel 3x3, padding 1)", html);

        var figures = Directory.GetFiles(x.FiguresFolder, "*.svg").ToDictionary(f => Path.GetFileNameWithoutExtension(f)[3..]);
        foreach (var name in ExpectedFigures) Assert.True(figures.ContainsKey(name), $"no figure {name}; have {string.Join(", ", figures.Keys)}");
        foreach (var (name, path) in figures)
        {
            var doc = SvgAssert.WellFormed(File.ReadAllText(path));
            Assert.True(SvgAssert.Texts(doc).Count > 0, $"{name} has no text");
        }

        // Comparison charts: one legend entry per run.
        foreach (var name in new[] { "validation-accuracy-per-epoch", "validation-loss-per-epoch", "rolling-validation-accuracy" })
        {
            var legend = Legend(figures[name]);
            Assert.Equal(ExperimentReportFixture.Labels, legend);
        }
        Assert.Equal(["train", "validation"], Legend(figures["mlp-loss-per-epoch"]));
        var samples = SvgAssert.Texts(XDocument.Load(figures["dataset-samples"]));
        foreach (var c in Atelier.Data.FashionMnist.ClassNames) Assert.Contains(c, samples);
        var predictions = XDocument.Load(figures["mlp-example-predictions"]);
        Assert.Equal(16, predictions.Descendants(SvgAssert.Ns + "image").Count());
        Assert.Contains(SvgAssert.Texts(predictions), t => t.StartsWith("true: ", StringComparison.Ordinal));
        // cnn-a's first convolution has 4 filters; the feature maps show the input and 4 channels.
        Assert.Equal(4, XDocument.Load(figures["cnn-a-augmented-first-layer-filters"]).Descendants(SvgAssert.Ns + "image").Count());
        Assert.Equal(5, XDocument.Load(figures["cnn-a-augmented-feature-maps"]).Descendants(SvgAssert.Ns + "image").Count());
        Assert.Equal(32, XDocument.Load(figures["mlp-first-layer-filters"]).Descendants(SvgAssert.Ns + "image").Count());
    }

    [Fact]
    public void Report_command_draws_runs_picked_by_hand_into_the_named_file()
    {
        var x = ExperimentReportFixture.Get();
        string output = Path.Combine(x.Root, "picked", "two.html");
        var run = ExperimentReportFixture.Atelier("report", Path.Combine(x.ExperimentFolder, "mlp"), Path.Combine(x.ExperimentFolder, "cnn-a-augmented"),
            "--output", output, "--data", TestData.FashionMnistDirectory);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("two.html", run.Output);
        Assert.True(File.Exists(output));
        var files = Directory.GetFiles(Path.Combine(x.Root, "picked", "two-figures"), "*.svg");
        Assert.Equal(Directory.GetFiles(x.FiguresFolder, "*.svg").Select(Path.GetFileName).Order(), files.Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_report_without_the_dataset_leaves_out_the_image_figures_and_says_so()
    {
        var x = ExperimentReportFixture.Get();
        var runs = RunReportData.LoadExperiment(x.ExperimentFolder);
        Assert.Equal(ExperimentReportFixture.Labels, runs.Select(r => r.Label));
        var notes = new List<string>();
        string html = ExperimentReport.Build("no data", null, runs, test: null, notes.Add).ToHtml();
        Assert.Contains(notes, n => n.Contains("No dataset found", StringComparison.Ordinal));
        Assert.DoesNotContain("Dataset samples", html);
        Assert.DoesNotContain("example predictions", html);
        Assert.Contains("first-layer filters", html); // from the checkpoint alone
        Assert.Contains("confusion matrix", html);
    }

    [Fact]
    public void A_run_trained_with_other_settings_is_not_passed_off_as_the_studys()
    {
        var x = ExperimentReportFixture.Get();
        // The fixture ran at --scale 0.05; the full-length study finds those folders and must not skip them as finished.
        var full = ExperimentReportFixture.Atelier("experiment", x.SpecPath, "--output", x.Root, "--data", TestData.FashionMnistDirectory, "--no-report");

        Assert.Equal(CommandLine.Failure, full.ExitCode);
        Assert.Contains("Run 'mlp'", full.Output);
        Assert.Contains("other settings", full.Output);
        Assert.Contains("epochs 2 → 40", full.Output);
        Assert.Contains("delete that folder", full.Output);
        Assert.DoesNotContain("skipped", full.Output);
        Assert.DoesNotContain("   at ", full.Output); // no stack trace
        foreach (var label in ExperimentReportFixture.Labels)
            Assert.Equal(x.ResultsWrittenBeforeRerun[label], File.GetLastWriteTimeUtc(Path.Combine(x.ExperimentFolder, label, RunFolder.ResultsJson)));
    }

    [Fact]
    public void Mistakes_in_the_command_line_end_in_one_sentence_and_a_non_zero_exit()
    {
        Assert.Equal(CommandLine.UsageError, InProcessCli.Run(["report"]).ExitCode);
        Assert.Equal(CommandLine.UsageError, InProcessCli.Run(["report", "x", "--bogus"]).ExitCode);
        Assert.Equal(CommandLine.Failure, InProcessCli.Run(["report", Path.Combine(TestData.TempDirectory(), "no-such-run")]).ExitCode);
        Assert.Equal(CommandLine.UsageError, InProcessCli.Run(["experiment"]).ExitCode);
        Assert.Equal(CommandLine.UsageError, InProcessCli.Run(["experiment", "x.yaml", "--scale", "3"]).ExitCode);
        Assert.Equal(CommandLine.Failure, InProcessCli.Run(["experiment", Path.Combine(TestData.TempDirectory(), "missing.yaml")]).ExitCode);
        string empty = TestData.TempDirectory();
        Assert.Equal(CommandLine.Failure, InProcessCli.Run(["report", empty]).ExitCode); // a folder with no runs
    }

    [Fact]
    public void Only_trains_the_named_runs_and_refuses_a_label_the_experiment_lacks()
    {
        string root = TestData.TempDirectory();
        string spec = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(spec, ExperimentReportFixture.Spec);
        string[] common = ["experiment", spec, "--scale", "0.05", "--output", root, "--data", TestData.FashionMnistDirectory, "--no-report"];
        Assert.Equal(CommandLine.UsageError, InProcessCli.Run([.. common, "--only", "mlp,vgg99"]).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(root, "tiny")));

        var run = ExperimentReportFixture.Atelier([.. common, "--only", "mlp"]);
        Assert.Equal(0, run.ExitCode);
        Assert.True(File.Exists(Path.Combine(root, "tiny", "mlp", "results.json")));
        Assert.False(Directory.Exists(Path.Combine(root, "tiny", "cnn-a-augmented")));
    }

    [Fact]
    public void Ctrl_C_exits_130_and_running_the_experiment_again_resumes()
    {
        string root = TestData.TempDirectory();
        string spec = Path.Combine(root, "stop.yaml");
        File.WriteAllText(spec, """
            name: stop
            base: { model: mlp, epochs: 60, batch-size: 64, optimizer: adam, lr: 0.001, schedule: constant, augment: false, val-size: 10000 }
            runs:
              - label: only
            """);
        string[] args = ["experiment", spec, "--scale", "0.1", "--output", root, "--data", TestData.FashionMnistDirectory, "--no-report"];
        var interrupted = CliRunner.Run(args, interruptWhen: line => line.Contains("epoch   1", StringComparison.Ordinal));
        Assert.True(interrupted.ExitCode == 130, interrupted.Output);
        Assert.Contains("Interrupted", interrupted.Output);
        var folder = new RunFolder(Path.Combine(root, "stop", "only"));
        int done = folder.ReadHistory().Count;
        Assert.InRange(done, 1, 5);
        Assert.False(File.Exists(folder.File(RunFolder.ResultsJson)));

        var resumed = ExperimentReportFixture.Atelier(args);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains($"Resuming stop/only at epoch {done + 1} of 6", resumed.Output);
        Assert.Equal(6, folder.ReadHistory().Count);
        Assert.True(File.Exists(folder.File(RunFolder.ResultsJson)));
    }

    private static List<string> Legend(string svgPath) =>
        XDocument.Load(svgPath).Descendants(SvgAssert.Ns + "text").Where(t => (string?)t.Attribute("class") == "legend").Select(t => t.Value).ToList();
}
