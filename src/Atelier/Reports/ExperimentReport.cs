using System.Globalization;
using Atelier.Data;
using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Reports;

/// <summary>
/// The report of one or more runs (an experiment's runs, or runs picked by hand): the comparisons across runs first
/// (key-metrics table, validation curves, final accuracy against the option that varies, metric bars, rolling
/// average), then a dataset sample grid, then every run's own figures.
/// </summary>
public static class ExperimentReport
{
    /// <param name="title">The report's heading.</param>
    /// <param name="subtitle">A line under the heading; null for none.</param>
    /// <param name="runs">The runs compared, in the order they are shown.</param>
    /// <param name="test">The test set, for the figures with images; null skips them.</param>
    /// <param name="notes">Receives one line for each figure that could not be drawn and why.</param>
    public static HtmlReport Build(string title, string? subtitle, IReadOnlyList<RunReportData> runs, Dataset? test, Action<string>? notes = null)
    {
        if (runs.Count == 0) throw new ArgumentException("A report needs at least one run.");
        var report = new HtmlReport(title, subtitle);
        if (runs.Count > 1 || runs[0].Finished)
            report.AddTable("Key metrics", KeyMetrics(runs), "Test-set accuracy and macro means of precision, recall and F1; losses of the last epoch; the best accuracy in bold.");
        if (runs.Count > 1) AddComparisons(report, runs);
        if (test is not null) report.AddFigure("Dataset samples", RunReportPictures.SampleGrid(test), $"{test.Name}: {test.Count:N0} images of {test.Height}×{test.Width}, {test.ClassCount} classes.");
        else notes?.Invoke("No dataset found: the sample grid, augmentation, prediction and feature-map figures are left out (give --data DIR or set ATELIER_DATA).");
        foreach (var run in runs) AddRun(report, run, test, notes);
        return report;
    }

    /// <summary>Writes the page and, in "&lt;name&gt;-figures/" beside it, every figure as an SVG file (old figure files there are removed first).</summary>
    public static IReadOnlyList<string> Write(HtmlReport report, string htmlPath)
    {
        string full = Path.GetFullPath(htmlPath);
        string figures = Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + "-figures");
        if (Directory.Exists(figures))
            foreach (var old in Directory.GetFiles(figures, "*.svg"))
                if (Path.GetFileName(old) is [>= '0' and <= '9', >= '0' and <= '9', '-', ..]) File.Delete(old);
        return report.Write(full, figures);
    }

    public static Table KeyMetrics(IReadOnlyList<RunReportData> runs)
    {
        var rows = new List<string[]>();
        int best = -1;
        double bestAccuracy = double.NegativeInfinity;
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            var c = r.Classification;
            var last = r.History.Count > 0 ? r.History[^1] : null;
            rows.Add([
                r.Label, r.Options.Model, Duration(r.TrainingSeconds),
                c is null ? "-" : Percent(c.Accuracy), c is null ? "-" : F(c.MacroPrecision), c is null ? "-" : F(c.MacroRecall), c is null ? "-" : F(c.MacroF1),
                last is null ? "-" : F(last.TrainLoss), last is null ? "-" : F(last.ValLoss),
                r.History.Count.ToString(CultureInfo.InvariantCulture) + (r.Finished ? "" : " (unfinished)"),
            ]);
            if (c is not null && c.Accuracy > bestAccuracy) { bestAccuracy = c.Accuracy; best = i; }
        }
        var table = new Table(["Run", "Model", "Training time", "Accuracy", "Precision (mean)", "Recall (mean)", "F1 (mean)", "Train loss", "Validation loss", "Epochs"], rows);
        if (best >= 0 && runs.Count > 1) table.Bold.Add(best);
        return table;
    }

    private static void AddComparisons(HtmlReport report, IReadOnlyList<RunReportData> runs)
    {
        var varying = VaryingOptions(runs);
        string what = varying.Count > 0 ? $"Runs differ in: {string.Join(", ", varying)}." : "";
        bool validated = runs.Any(RunReport.HasValidation);
        if (validated)
        {
            report.AddFigure("Validation accuracy per epoch", Compare(runs, "validation accuracy per epoch", "validation accuracy", "%", h => 100 * h.ValAccuracy), what);
            report.AddFigure("Validation loss per epoch", Compare(runs, "validation loss per epoch", "validation loss", null, h => h.ValLoss));
            report.AddFigure("Validation accuracy against training time", AgainstTime(runs),
                "Each point is an epoch's end, placed at the training time spent until then (its evaluation included): which run gets there first.");
        }
        else
        {
            report.AddFigure("Training accuracy per epoch", Compare(runs, "training accuracy per epoch", "training accuracy", "%", h => 100 * h.TrainAccuracy),
                $"{what} No run holds a validation split out (val-size 0), so the training accuracy stands in for it.".TrimStart());
        }
        report.AddFigure("Training loss per epoch", Compare(runs, "training loss per epoch", "training loss", null, h => h.TrainLoss));
        if (varying.Count == 1 && FinalAgainstOption(runs, varying[0]) is { } sweep)
            report.AddFigure($"Test accuracy against {varying[0]}", sweep.Svg, sweep.Caption);
        if (MetricBars(runs) is { } bars) report.AddFigure("Metric comparison", bars.Svg, bars.Caption);
        if (validated)
            report.AddFigure("Rolling validation accuracy", RollingValidationAccuracy(runs), "Mean of the last 5 epochs' validation accuracy (fewer at the start), which smooths epoch-to-epoch noise.");
        if (TrainingTimeBars(runs) is { } time) report.AddFigure("Training time", time);
    }

    private static string RollingValidationAccuracy(IReadOnlyList<RunReportData> runs)
    {
        var rolling = new LineChart { Title = "Rolling average of validation accuracy (window 5 epochs)", XLabel = "epoch", YLabel = "validation accuracy", YUnit = "%" };
        int maxEpochs = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            if (!RunReport.HasValidation(runs[i])) continue;
            var acc = RunReport.Column(runs[i], h => 100 * h.ValAccuracy);
            rolling.Add(new LineSeries(runs[i].Label, RunReport.Epochs(runs[i]), RollingAverage.Compute(acc, 5)) { ColorIndex = i, Markers = acc.Length == 1 });
            maxEpochs = Math.Max(maxEpochs, acc.Length);
        }
        RunReport.IntegerEpochTicks(rolling, maxEpochs);
        return rolling.ToSvg();
    }

    /// <summary>One series per run of a per-epoch metric.</summary>
    private static string Compare(IReadOnlyList<RunReportData> runs, string title, string yLabel, string? unit, Func<EpochMetrics, double> pick)
    {
        var chart = new LineChart { Title = $"Comparison: {title}", XLabel = "epoch", YLabel = yLabel, YUnit = unit };
        int maxEpochs = 0;
        for (int i = 0; i < runs.Count; i++)
        {
            var values = RunReport.Column(runs[i], pick);
            if (values.All(double.IsNaN)) continue; // a run without a validation split, in a validation chart; colours stay the run's
            chart.Add(new LineSeries(runs[i].Label, RunReport.Epochs(runs[i]), values) { ColorIndex = i, Markers = runs[i].History.Count <= 20 });
            maxEpochs = Math.Max(maxEpochs, runs[i].History.Count);
        }
        RunReport.IntegerEpochTicks(chart, maxEpochs);
        return chart.ToSvg();
    }

    /// <summary>Validation accuracy against the cumulative training time: time to accuracy, where runs differ in speed per epoch.</summary>
    private static string AgainstTime(IReadOnlyList<RunReportData> runs)
    {
        double total = runs.Max(r => r.History.Sum(h => h.Seconds));
        bool minutes = total >= 120;
        var chart = new LineChart
        {
            Title = "Validation accuracy against training time", XLabel = "training time", XUnit = minutes ? "min" : "s",
            YLabel = "validation accuracy", YUnit = "%",
        };
        for (int i = 0; i < runs.Count; i++)
        {
            if (!RunReport.HasValidation(runs[i])) continue;
            var x = new double[runs[i].History.Count];
            double elapsed = 0;
            for (int e = 0; e < x.Length; e++)
            {
                elapsed += runs[i].History[e].Seconds;
                x[e] = minutes ? elapsed / 60 : elapsed;
            }
            chart.Add(new LineSeries(runs[i].Label, x, RunReport.Column(runs[i], h => 100 * h.ValAccuracy)) { ColorIndex = i, Markers = x.Length <= 20 });
        }
        return chart.ToSvg();
    }

    /// <summary>Final test accuracy against a numeric option (log x for learning rate and batch size), or bars per value.</summary>
    private static (string Svg, string? Caption)? FinalAgainstOption(IReadOnlyList<RunReportData> runs, string option)
    {
        var x = new List<double>();
        var y = new List<double>();
        var labels = new List<string>();
        bool numeric = true;
        foreach (var r in runs)
        {
            if (r.Classification is null) continue;
            string value = OptionValue(r, option);
            labels.Add(value);
            y.Add(100 * r.Classification.Accuracy);
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) x.Add(v);
            else numeric = false;
        }
        if (y.Count < 2) return null;
        if (!numeric)
        {
            double start = AccuracyAxisStart(y);
            var bars = new BarChart(labels.ToArray())
            {
                Title = $"Test accuracy by {option}", ValueLabel = "test accuracy", ValueUnit = "%", CategoryLabel = option, ValueFormat = "0.00", ValueMin = start,
            };
            bars.Add(new BarSeries("test accuracy", y.ToArray()));
            return (bars.ToSvg(), start > 0 ? string.Create(CultureInfo.InvariantCulture, $"The axis starts at {start:0}%, not 0, so that a point of difference shows.") : null);
        }
        bool log = option is "lr" or "batch-size" or "weight-decay" && x.TrueForAll(v => v > 0);
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        var chart = new LineChart
        {
            Title = $"Final test accuracy against {OptionName(option)}", XLabel = OptionName(option), XUnit = log ? "log scale" : null,
            YLabel = "test accuracy", YUnit = "%", XLog = log, XTicks = x.Count <= 12 ? x.ToArray() : null,
        };
        chart.Add(new LineSeries("", order.Select(i => x[i]).ToArray(), order.Select(i => y[i]).ToArray()) { Markers = true });
        return (chart.ToSvg(), null);
    }

    /// <summary>
    /// Where bars of close accuracies start their axis: whole points below the lowest, so that 89.7% and 90.7% are
    /// not the same bar on a 0–100 axis; 0 when the accuracies spread widely enough to compare from zero.
    /// </summary>
    internal static double AccuracyAxisStart(IReadOnlyList<double> accuracies)
    {
        double lo = accuracies.Min(), spread = accuracies.Max() - lo;
        if (spread > 25) return 0;
        double step = spread < 4 ? 1 : 5;
        return Math.Max(0, Math.Floor((lo - Math.Max(step, spread)) / step) * step);
    }

    private static (string Svg, string? Caption)? MetricBars(IReadOnlyList<RunReportData> runs)
    {
        var names = new List<string>();
        var accuracy = new List<double>();
        var f1 = new List<double>();
        foreach (var r in runs)
        {
            if (r.Classification is null) continue;
            names.Add(r.Label);
            accuracy.Add(r.Classification.Accuracy);
            f1.Add(r.Classification.MacroF1);
        }
        if (names.Count == 0) return null;
        double start = names.Count > 1 ? AccuracyAxisStart([.. accuracy.Concat(f1).Select(v => 100 * v)]) / 100 : 0;
        var chart = new BarChart(names.ToArray())
        {
            Title = "Test accuracy and macro F1 per run", ValueLabel = "score (0 to 1)", ValueFormat = "0.000", ValueMin = start, ValueMax = start > 0 ? null : 1, CategoryLabel = "run",
            Width = Math.Max(640, Math.Min(1100, 160 + names.Count * 90)),
        };
        chart.Add(new BarSeries("accuracy", accuracy.ToArray())).Add(new BarSeries("macro F1", f1.ToArray()));
        return (chart.ToSvg(), start > 0 ? string.Create(CultureInfo.InvariantCulture, $"The axis starts at {start:0.00}, not 0, so that a point of difference shows.") : null);
    }

    private static string? TrainingTimeBars(IReadOnlyList<RunReportData> runs)
    {
        var names = new string[runs.Count];
        var seconds = new double[runs.Count];
        for (int i = 0; i < runs.Count; i++) (names[i], seconds[i]) = (runs[i].Label, runs[i].TrainingSeconds);
        bool minutes = seconds.Max() >= 300;
        if (minutes) for (int i = 0; i < seconds.Length; i++) seconds[i] /= 60;
        var chart = new BarChart(names) { Title = "Training time per run", ValueLabel = "training time", ValueUnit = minutes ? "min" : "s", ValueFormat = seconds.Max() < 10 ? "0.00" : "0.0", Horizontal = true, Height = 110 + 34 * runs.Count };
        chart.Add(new BarSeries("training time", seconds));
        return chart.ToSvg();
    }

    /// <summary>Options whose values differ between the runs (the name, experiment and output folder aside).</summary>
    public static List<string> VaryingOptions(IReadOnlyList<RunReportData> runs)
    {
        var varying = new List<string>();
        if (runs.Count < 2) return varying;
        foreach (var option in TrainOptionTable.All)
        {
            if (option.Name is "name" or "experiment" or "output" or "data" or "threads") continue;
            string first = OptionValue(runs[0], option.Name);
            for (int i = 1; i < runs.Count; i++)
                if (OptionValue(runs[i], option.Name) != first) { varying.Add(option.Name); break; }
        }
        return varying;
    }

    private static string OptionValue(RunReportData run, string option) => TrainOptionTable.Find(option)?.Get(run.Options) ?? "";

    private static string OptionName(string option) => option switch
    {
        "lr" => "learning rate",
        "batch-size" => "batch size",
        _ => option,
    };

    private static void AddRun(HtmlReport report, RunReportData run, Dataset? test, Action<string>? notes)
    {
        string who = run.Label;
        void Figure(string heading, string? svg, string? caption = null)
        {
            if (svg is not null) report.AddFigure($"{who}: {heading}", svg, caption);
        }
        string validation = RunReport.HasValidation(run) ? "dashed: validation" : "no validation split";
        string lossCaption = $"Solid: training; {validation}. {run.Options.Model}, {run.Options.Optimizer} lr {run.Options.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}, batch {run.Options.BatchSize}.";
        Figure("loss per epoch", RunReport.LossCurves(run), lossCaption);
        Figure("accuracy per epoch", RunReport.AccuracyCurves(run), $"Solid: training (running mean over the epoch, with dropout and augmentation on); {validation}.");
        Figure("accuracy against training time", RunReport.AccuracyOverTime(run), "Validation accuracy after each epoch against the seconds of training so far (evaluation not counted).");
        Figure("learning rate", RunReport.LearningRate(run));
        Figure("confusion matrix", RunReport.ConfusionCounts(run), "Rows: actual class; columns: predicted class; counts of test images.");
        Figure("confusion matrix (normalised)", RunReport.ConfusionNormalized(run));
        Figure("precision, recall and F1 per class", RunReport.PerClassMetrics(run));
        if (RunReport.PerClassTable(run) is { } perClass) report.AddTable($"{who}: classification report", perClass);

        Checkpoint? checkpoint = null;
        if (run.CheckpointPath is { } path)
        {
            try
            {
                checkpoint = Checkpoint.Load(path);
            }
            catch (Exception e) when (e is InvalidModelFileException or InvalidDataException or IOException or ArgumentException)
            {
                notes?.Invoke($"{who}: the checkpoint could not be read ({e.Message}); its predictions, filters and feature maps are left out.");
            }
        }
        if (RunReport.Architecture(run, checkpoint?.Model) is var (table, caption)) report.AddTable($"{who}: architecture", table, caption);
        if (test is not null) Figure("augmentation examples", RunReportPictures.Augmentations(run, test));
        if (checkpoint is not null)
        {
            if (test is not null) Figure("example predictions", RunReportPictures.Predictions(run, checkpoint, test), "Each image: the two most likely classes with their probabilities, then the true class.");
            Figure("first-layer filters", RunReportPictures.Filters(checkpoint, who));
            if (test is not null) Figure("feature maps", RunReportPictures.FeatureMaps(checkpoint, test, who));
        }
    }

    private static string Duration(double seconds) => seconds switch
    {
        double.NaN => "-",
        < 120 => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        < 7200 => (seconds / 60).ToString("0.0", CultureInfo.InvariantCulture) + " min",
        _ => (seconds / 3600).ToString("0.0", CultureInfo.InvariantCulture) + " h",
    };

    private static string Percent(double v) => (100 * v).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";
}
