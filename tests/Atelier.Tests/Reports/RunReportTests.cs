using System.Xml.Linq;
using Atelier.Data;
using Atelier.Reports;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Reports;

/// <summary>Report assembly from synthetic run folders (no training): what is drawn for finished, unfinished and swept runs.</summary>
public sealed class RunReportTests
{
    private static readonly string[] Classes = [.. FashionMnist.ClassNames];

    /// <summary>A run folder as a run leaves it; with results only when <paramref name="finished"/>; without validation figures when not <paramref name="validated"/> (val-size 0).</summary>
    private static RunFolder FakeRun(string root, string label, Action<TrainOptions> configure, bool finished, int epochs = 6, double quality = 0.8, bool validated = true, double seconds = 1.5)
    {
        var folder = new RunFolder(Path.Combine(root, label));
        Directory.CreateDirectory(folder.Path);
        var options = new TrainOptions { Model = "mlp", Experiment = "sweep", Name = "sweep-" + label };
        configure(options);
        folder.WriteOptions(options);
        var history = new List<EpochMetrics>();
        for (int e = 1; e <= epochs; e++)
            history.Add(validated
                ? new EpochMetrics(e, 1.0 / e, quality - 0.3 / e, e == 3 ? double.NaN : 1.2 / e, quality - 0.35 / e, options.LearningRate / e, seconds)
                : new EpochMetrics(e, 1.0 / e, quality - 0.3 / e, double.NaN, double.NaN, options.LearningRate / e, seconds));
        folder.WriteHistory(history);
        if (finished)
        {
            int n = 200;
            var actual = new int[n];
            var predicted = new int[n];
            var probabilities = new float[n * 10];
            for (int i = 0; i < n; i++)
            {
                actual[i] = i % 10;
                predicted[i] = i % 10 < quality * 10 ? actual[i] : (actual[i] + 1) % 10;
                probabilities[i * 10 + predicted[i]] = 0.9f;
            }
            var matrix = new ConfusionMatrix(10);
            matrix.Add(actual, predicted);
            var evaluation = new Evaluation(0.5, quality, actual, predicted, probabilities, 10);
            Results.Write(new RunResult(folder, history, evaluation, matrix, matrix.Report(), Classes, 9.0, 1000, epochs, false));
        }
        return folder;
    }

    [Fact]
    public void A_finished_run_reads_back_its_results_and_draws_every_metric_figure()
    {
        string root = TestData.TempDirectory();
        var run = RunReportData.Load(FakeRun(root, "one", o => { }, finished: true).Path);
        Assert.True(run.Finished);
        Assert.Equal(Classes, run.ClassNames);
        Assert.Equal(200, run.Matrix!.Total);
        Assert.Equal(0.8, run.Classification!.Accuracy, 6);
        Assert.Equal(9.0, run.TrainingSeconds);
        foreach (var svg in new[] { RunReport.LossCurves(run), RunReport.AccuracyCurves(run), RunReport.AccuracyOverTime(run), RunReport.LearningRate(run), RunReport.ConfusionCounts(run), RunReport.ConfusionNormalized(run), RunReport.PerClassMetrics(run) })
            SvgAssert.WellFormed(Assert.IsType<string>(svg));
        // The learning rate falls 6-fold: a linear axis; the missing validation loss of epoch 3 is a gap, not a zero.
        Assert.DoesNotContain("NaN", RunReport.LossCurves(run));
        Assert.Equal(12, RunReport.PerClassTable(run)!.Rows.Count);
        var (table, caption) = RunReport.Architecture(run, null)!.Value;
        Assert.Equal(8, table.Rows.Count);
        Assert.Contains("405,044 parameters", caption);
    }

    [Fact]
    public void An_unfinished_run_still_draws_its_curves_and_is_marked_in_the_key_metrics()
    {
        string root = TestData.TempDirectory();
        var run = RunReportData.Load(FakeRun(root, "half", o => { }, finished: false).Path);
        Assert.False(run.Finished);
        Assert.Null(RunReport.ConfusionCounts(run));
        Assert.Null(RunReport.PerClassMetrics(run));
        Assert.NotNull(RunReport.LossCurves(run));
        var table = ExperimentReport.KeyMetrics([run]);
        Assert.Equal("6 (unfinished)", table.Rows[0][^1]);
        Assert.Equal("-", table.Rows[0][3]);
        var html = ExperimentReport.Build("half", null, [run], test: null).ToHtml();
        Assert.Contains("half: loss per epoch", html);
        Assert.DoesNotContain("Key metrics", html); // a single unfinished run has none
    }

    [Theory]
    [InlineData("lr", "learning rate", true)]
    [InlineData("batch-size", "batch size", true)]
    [InlineData("epochs", "epochs", false)]
    public void A_sweep_over_one_option_plots_final_accuracy_against_it(string option, string axis, bool log)
    {
        string root = TestData.TempDirectory();
        string[] values = option switch { "lr" => ["0.001", "0.01", "0.1"], "batch-size" => ["32", "256", "2048"], _ => ["4", "6", "8"] };
        for (int i = 0; i < values.Length; i++)
        {
            string v = values[i];
            FakeRun(root, $"{option}={v}", o => TrainOptionTable.Set(o, option, v), finished: true, quality: 0.5 + 0.1 * i);
            // options.json's time orders the runs: keep them apart even on coarse file clocks.
            File.SetLastWriteTimeUtc(Path.Combine(root, $"{option}={v}", RunFolder.OptionsFile), new DateTime(2025, 1, 1, 0, 0, i, DateTimeKind.Utc));
        }
        var runs = RunReportData.LoadExperiment(root);
        Assert.Equal(values.Select(v => $"{option}={v}"), runs.Select(r => r.Label));
        Assert.Equal([option], ExperimentReport.VaryingOptions(runs));

        var report = ExperimentReport.Build("sweep", null, runs, test: null);
        string dir = TestData.TempDirectory();
        var files = ExperimentReport.Write(report, Path.Combine(dir, "sweep.html"));
        string sweep = Assert.Single(files, f => f.EndsWith($"-test-accuracy-against-{option}.svg", StringComparison.Ordinal));
        var doc = SvgAssert.WellFormed(File.ReadAllText(sweep));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains(texts, t => t.StartsWith(axis, StringComparison.Ordinal) && t.Contains("log scale") == log);
        foreach (var v in values) Assert.Contains(v, texts); // each value tried is a tick
        Assert.True(Directory.Exists(Path.Combine(dir, "sweep-figures")));

        // Writing again replaces the figure files rather than leaving stale ones.
        File.WriteAllText(Path.Combine(dir, "sweep-figures", "99-stale.svg"), "<svg/>");
        ExperimentReport.Write(report, Path.Combine(dir, "sweep.html"));
        Assert.False(File.Exists(Path.Combine(dir, "sweep-figures", "99-stale.svg")));
    }

    [Fact]
    public void Validation_accuracy_is_drawn_against_training_minutes_so_a_faster_run_shows_first()
    {
        string root = TestData.TempDirectory();
        FakeRun(root, "fast", o => { }, finished: true, seconds: 20);
        FakeRun(root, "slow", o => o.BatchSize = 16, finished: true, seconds: 60);
        var files = ExperimentReport.Write(ExperimentReport.Build("time", null, RunReportData.LoadExperiment(root), test: null), Path.Combine(TestData.TempDirectory(), "time.html"));
        var doc = SvgAssert.WellFormed(File.ReadAllText(Assert.Single(files, f => f.EndsWith("-validation-accuracy-against-training-time.svg", StringComparison.Ordinal))));
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("fast", texts);
        Assert.Contains("slow", texts);
        // 6 epochs of 60 s: the axis is in minutes and reaches 6.
        Assert.Contains(texts, t => t.StartsWith("training time", StringComparison.Ordinal) && t.Contains("min", StringComparison.Ordinal));
        Assert.Contains("6", texts);
    }

    [Fact]
    public void Runs_without_a_validation_split_compare_training_accuracy_instead_of_empty_validation_charts()
    {
        string root = TestData.TempDirectory();
        foreach (string label in (string[])["a", "b"])
            FakeRun(root, label, o => o.ValSize = 0, finished: true, validated: false);
        string html = ExperimentReport.Build("no-validation", null, RunReportData.LoadExperiment(root), test: null).ToHtml();
        Assert.Contains("Training accuracy per epoch", html);
        Assert.Contains("No run holds a validation split out", html);
        Assert.DoesNotContain("Validation accuracy per epoch", html);
        Assert.DoesNotContain("Rolling validation accuracy", html);
        Assert.DoesNotContain("no data", html);
    }

    [Fact]
    public void A_validation_chart_leaves_out_the_runs_that_held_nothing_out()
    {
        string root = TestData.TempDirectory();
        FakeRun(root, "kept", o => { }, finished: true);
        FakeRun(root, "none", o => o.ValSize = 0, finished: true, validated: false);
        var report = ExperimentReport.Build("mixed", null, RunReportData.LoadExperiment(root), test: null);
        var files = ExperimentReport.Write(report, Path.Combine(TestData.TempDirectory(), "mixed.html"));
        foreach (string figure in (string[])["-validation-accuracy-per-epoch.svg", "-rolling-validation-accuracy.svg"])
        {
            var texts = SvgAssert.Texts(SvgAssert.WellFormed(File.ReadAllText(Assert.Single(files, f => f.EndsWith(figure, StringComparison.Ordinal)))));
            Assert.Contains("kept", texts);
            Assert.DoesNotContain("none", texts);
        }
        var training = SvgAssert.Texts(SvgAssert.WellFormed(File.ReadAllText(Assert.Single(files, f => f.EndsWith("-training-loss-per-epoch.svg", StringComparison.Ordinal)))));
        Assert.Contains("none", training);
    }

    [Theory]
    [InlineData(new[] { 89.72, 90.68, 90.06 }, 88)]
    [InlineData(new[] { 80.5, 88.0 }, 70)]
    [InlineData(new[] { 38.5, 86.0 }, 0)]
    public void Close_accuracies_get_bars_on_a_zoomed_axis(double[] accuracies, double start) =>
        Assert.Equal(start, ExperimentReport.AccuracyAxisStart(accuracies));

    [Fact]
    public void A_sweep_over_a_named_option_draws_bars_from_below_the_lowest_accuracy()
    {
        string root = TestData.TempDirectory();
        string[] inits = ["he-normal", "xavier-uniform"];
        for (int i = 0; i < inits.Length; i++)
            FakeRun(root, $"init={inits[i]}", o => o.Init = inits[i], finished: true, quality: 0.8 + 0.1 * i);
        var report = ExperimentReport.Build("inits", null, RunReportData.LoadExperiment(root), test: null);
        string html = report.ToHtml();
        Assert.Contains("The axis starts at 70%, not 0", html);
        Assert.Contains("The axis starts at 0.60, not 0", html); // metric bars: accuracy 0.8, 0.9, macro F1 0.77, 0.87
        string dir = TestData.TempDirectory();
        string bars = Assert.Single(ExperimentReport.Write(report, Path.Combine(dir, "inits.html")), f => f.EndsWith("-test-accuracy-against-init.svg", StringComparison.Ordinal));
        var texts = SvgAssert.Texts(SvgAssert.WellFormed(File.ReadAllText(bars)));
        Assert.Contains("70", texts);
        Assert.DoesNotContain("0", texts);
    }

    [Fact]
    public void A_folder_without_runs_is_refused_in_one_sentence()
    {
        var e = Assert.Throws<InvalidDataException>(() => RunReportData.LoadExperiment(TestData.TempDirectory()));
        Assert.Contains("holds no runs", e.Message);
    }

    [Fact]
    public void Dataset_figures_show_every_class_and_the_runs_augmentation()
    {
        string root = TestData.TempDirectory();
        var run = RunReportData.Load(FakeRun(root, "aug", o => { o.Augment = true; o.Rotate = 10; }, finished: false).Path);
        var plain = RunReportData.Load(FakeRun(root, "plain", o => o.Augment = false, finished: false).Path);
        var test = TestData.FashionTest;
        var samples = XDocument.Parse(RunReportPictures.SampleGrid(test));
        Assert.Equal(20, samples.Descendants(SvgAssert.Ns + "image").Count());
        Assert.Equal(Classes.Concat(Classes), SvgAssert.Texts(samples).Skip(1));
        var augmented = XDocument.Parse(RunReportPictures.Augmentations(run, test)!);
        Assert.Equal(12, augmented.Descendants(SvgAssert.Ns + "image").Count());
        Assert.Contains("rotation ±10°", SvgAssert.Texts(augmented)[0]);
        Assert.Null(RunReportPictures.Augmentations(plain, test));
    }
}
