using System.Globalization;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Reports;

/// <summary>
/// The figures of one run drawn from its files: curves per epoch, learning rate, confusion matrices, per-class
/// precision/recall/F1 and the layer table. Each figure appears only when its data exists.
/// </summary>
public static class RunReport
{
    /// <summary>Loss per epoch, train solid and validation dashed.</summary>
    public static string? LossCurves(RunReportData run)
    {
        if (run.History.Count == 0) return null;
        var chart = new LineChart { Title = $"{run.Label}: loss per epoch", XLabel = "epoch", YLabel = $"{LossName(run)} loss", YMin = 0 };
        chart.Add(new LineSeries("train", Epochs(run), Column(run, h => h.TrainLoss)) { ColorIndex = 0, Markers = run.History.Count <= 30 });
        if (HasValidation(run))
            chart.Add(new LineSeries("validation", Epochs(run), Column(run, h => h.ValLoss)) { ColorIndex = 1, Dashed = true, Markers = run.History.Count <= 30 });
        IntegerEpochTicks(chart, run.History.Count);
        return chart.ToSvg();
    }

    /// <summary>Accuracy per epoch (in %), train solid and validation dashed.</summary>
    public static string? AccuracyCurves(RunReportData run)
    {
        if (run.History.Count == 0) return null;
        var chart = new LineChart { Title = $"{run.Label}: accuracy per epoch", XLabel = "epoch", YLabel = "accuracy", YUnit = "%" };
        chart.Add(new LineSeries("train", Epochs(run), Column(run, h => 100 * h.TrainAccuracy)) { ColorIndex = 0, Markers = run.History.Count <= 30 });
        if (HasValidation(run))
            chart.Add(new LineSeries("validation", Epochs(run), Column(run, h => 100 * h.ValAccuracy)) { ColorIndex = 1, Dashed = true, Markers = run.History.Count <= 30 });
        IntegerEpochTicks(chart, run.History.Count);
        return chart.ToSvg();
    }

    /// <summary>
    /// Validation accuracy against the training time spent so far (epoch seconds summed; evaluation not counted):
    /// how fast a run gets where, which per-epoch curves hide when runs differ in speed.
    /// </summary>
    public static string? AccuracyOverTime(RunReportData run)
    {
        if (run.History.Count == 0 || !HasValidation(run)) return null;
        var seconds = new double[run.History.Count];
        double total = 0;
        for (int i = 0; i < seconds.Length; i++) seconds[i] = total += run.History[i].Seconds;
        bool minutes = total > 300;
        if (minutes) for (int i = 0; i < seconds.Length; i++) seconds[i] /= 60;
        var chart = new LineChart
        {
            Title = $"{run.Label}: validation accuracy against training time", XLabel = "training time", XUnit = minutes ? "min" : "s",
            YLabel = "validation accuracy", YUnit = "%", XMin = 0,
        };
        chart.Add(new LineSeries("validation", seconds, Column(run, h => 100 * h.ValAccuracy)) { ColorIndex = 1, Markers = run.History.Count <= 30 });
        return chart.ToSvg();
    }

    /// <summary>The learning rate at the start of each epoch; a log axis when it spans more than a factor of 20.</summary>
    public static string? LearningRate(RunReportData run)
    {
        if (run.History.Count == 0) return null;
        var lr = Column(run, h => h.LearningRate);
        double lo = double.PositiveInfinity, hi = 0;
        foreach (var v in lr) if (v > 0) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (hi <= 0) return null;
        var chart = new LineChart
        {
            Title = $"{run.Label}: learning rate ({run.Options.Optimizer}, {run.Options.Schedule} schedule)",
            XLabel = "epoch", YLabel = "learning rate", YLog = hi / lo > 20,
        };
        if (!chart.YLog) chart.YMin = 0;
        chart.Add(new LineSeries("", Epochs(run), lr) { ColorIndex = 2, Markers = run.History.Count <= 30 });
        IntegerEpochTicks(chart, run.History.Count);
        return chart.ToSvg();
    }

    public static string? ConfusionCounts(RunReportData run) => run.Matrix is null ? null
        : Heatmap.Confusion(run.Matrix.ToArray(), Names(run), normalize: false, $"{run.Label}: confusion matrix (test images)").ToSvg();

    public static string? ConfusionNormalized(RunReportData run) => run.Matrix is null ? null
        : Heatmap.Confusion(run.Matrix.ToArray(), Names(run), normalize: true, $"{run.Label}: confusion matrix, rows normalised (recall on the diagonal)").ToSvg();

    /// <summary>Per-class precision, recall and F1 as grouped horizontal bars.</summary>
    public static string? PerClassMetrics(RunReportData run)
    {
        var r = run.Classification;
        if (r is null) return null;
        var chart = new BarChart(Names(run))
        {
            Title = $"{run.Label}: precision, recall and F1 per class (test)",
            ValueLabel = "score (0 to 1)", ValueFormat = "0.00", Horizontal = true, ValueMax = 1, Width = 720,
        };
        chart.Add(new BarSeries("precision", r.Precision)).Add(new BarSeries("recall", r.Recall)).Add(new BarSeries("F1", r.F1));
        return chart.ToSvg();
    }

    /// <summary>The per-class numbers with their macro and weighted means, as the classification report prints them.</summary>
    public static Table? PerClassTable(RunReportData run)
    {
        var r = run.Classification;
        if (r is null) return null;
        var names = Names(run);
        var rows = new List<string[]>();
        for (int c = 0; c < r.Classes; c++)
            rows.Add([names[c], F(r.Precision[c]), F(r.Recall[c]), F(r.F1[c]), r.Support[c].ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["macro mean", F(r.MacroPrecision), F(r.MacroRecall), F(r.MacroF1), r.TotalSupport.ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["weighted mean", F(r.WeightedPrecision), F(r.WeightedRecall), F(r.WeightedF1), r.TotalSupport.ToString(CultureInfo.InvariantCulture)]);
        var table = new Table(["class", "precision", "recall", "F1", "support"], rows);
        table.Bold.Add(rows.Count - 2);
        return table;
    }

    /// <summary>The model as a layer table (index, layer, output shape, parameters, FLOPs) for one 1×28×28 image.</summary>
    public static (Table Table, string Caption)? Architecture(RunReportData run, Module? model)
    {
        Module built;
        try
        {
            built = model ?? ModelZoo.Get(run.Options.Model).Build(run.Options.ModelOptionsFor(1, 28, 28, run.ClassNames?.Count ?? 10));
        }
        catch (ArgumentException)
        {
            return null; // a model this version of the zoo no longer has
        }
        var sample = new Shape(1, 1, 28, 28);
        var rows = new List<string[]>();
        foreach (var row in ModelSummary.Rows(built, sample))
            rows.Add([row.Index, row.Layer, row.OutputShape.ToString(), row.Parameters.ToString("N0", CultureInfo.InvariantCulture), row.Flops.ToString("N0", CultureInfo.InvariantCulture)]);
        long parameters = built.ParameterCount();
        string caption = string.Create(CultureInfo.InvariantCulture,
            $"{run.Options.Model}: {parameters:N0} parameters ({parameters * 4 / 1024.0:F1} KiB as float32), {built.Flops(sample) / 1e6:F2} MFLOPs per image.");
        return (new Table(["#", "layer", "output shape", "parameters", "FLOPs"], rows), caption);
    }

    internal static string[] Names(RunReportData run)
    {
        var names = new string[run.Matrix?.Classes ?? run.ClassNames?.Count ?? 0];
        for (int i = 0; i < names.Length; i++) names[i] = run.ClassNames is { } n && i < n.Count ? n[i] : i.ToString(CultureInfo.InvariantCulture);
        return names;
    }

    internal static string LossName(RunReportData run) => run.Options.Loss == "nll" ? "NLL" : "cross-entropy";

    internal static bool HasValidation(RunReportData run)
    {
        foreach (var h in run.History) if (double.IsFinite(h.ValLoss)) return true;
        return false;
    }

    internal static double[] Epochs(RunReportData run)
    {
        var x = new double[run.History.Count];
        for (int i = 0; i < x.Length; i++) x[i] = run.History[i].Epoch;
        return x;
    }

    internal static double[] Column(RunReportData run, Func<Training.EpochMetrics, double> pick)
    {
        var y = new double[run.History.Count];
        for (int i = 0; i < y.Length; i++) y[i] = pick(run.History[i]);
        return y;
    }

    /// <summary>Whole epochs only: a 3-epoch run would otherwise get ticks at 1.5 and 2.5.</summary>
    internal static void IntegerEpochTicks(LineChart chart, int epochs)
    {
        if (epochs > 10) return;
        var ticks = new double[epochs];
        for (int i = 0; i < epochs; i++) ticks[i] = i + 1;
        chart.XTicks = ticks;
        if (epochs == 1) { chart.XMin = 0.5; chart.XMax = 1.5; }
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
}
