using System.Globalization;
using Atelier.Reports;
using Atelier.Training;

namespace Atelier.Server.Pages;

/// <summary>
/// A run's curves as the report draws them (our <see cref="LineChart"/>), with TensorBoard-style smoothing: the raw
/// curve stays, faded, under the smoothed one. The run page fetches these again when an epoch arrives or the slider moves.
/// </summary>
public static class RunCharts
{
    public static readonly string[] Kinds = ["loss", "accuracy", "lr"];

    /// <summary>The chart's SVG; null for a kind this page does not draw.</summary>
    public static string? Svg(string kind, string label, RunReportData? run, double smoothing) => kind switch
    {
        "loss" => Curves(label, run, smoothing, "loss per epoch", run?.Options.Loss == "nll" ? "NLL loss" : "cross-entropy loss", null, h => h.TrainLoss, h => h.ValLoss, yMin: 0),
        "accuracy" => Curves(label, run, smoothing, "accuracy per epoch", "accuracy", "%", h => 100 * h.TrainAccuracy, h => 100 * h.ValAccuracy, yMin: null),
        "lr" => LearningRate(label, run),
        _ => null,
    };

    private static string Curves(string label, RunReportData? run, double smoothing, string title, string yLabel, string? unit,
        Func<EpochMetrics, double> train, Func<EpochMetrics, double> validation, double? yMin)
    {
        var history = run?.History ?? [];
        var chart = new LineChart { Title = $"{label}: {title}", XLabel = "epoch", YLabel = yLabel, YUnit = unit, YMin = yMin };
        var x = Epochs(history);
        bool markers = history.Count <= 30;
        Add(chart, "train", x, Column(history, train), 0, dashed: false, markers, smoothing);
        var val = Column(history, validation);
        if (val.Any(double.IsFinite)) Add(chart, "validation", x, val, 1, dashed: true, markers, smoothing);
        EpochTicks(chart, history.Count);
        return chart.ToSvg();
    }

    private static void Add(LineChart chart, string name, double[] x, double[] y, int color, bool dashed, bool markers, double smoothing)
    {
        if (smoothing <= 0)
        {
            chart.Add(new LineSeries(name, x, y) { ColorIndex = color, Dashed = dashed, Markers = markers });
            return;
        }
        chart.Add(new LineSeries($"{name} (raw)", x, y) { Color = Faded(Palette.Color(color)), Dashed = dashed });
        chart.Add(new LineSeries($"{name} (smoothed {smoothing.ToString("0.00", CultureInfo.InvariantCulture)})", x, Smoothing.Ema(y, smoothing))
            { ColorIndex = color, Dashed = dashed, Markers = markers });
    }

    /// <summary>A schedule, not a noisy measurement: never smoothed; a log axis when it spans more than a factor of 20.</summary>
    private static string LearningRate(string label, RunReportData? run)
    {
        var history = run?.History ?? [];
        var lr = Column(history, h => h.LearningRate);
        double lo = double.PositiveInfinity, hi = 0;
        foreach (var v in lr) if (v > 0) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        var chart = new LineChart { Title = $"{label}: learning rate", XLabel = "epoch", YLabel = "learning rate", YLog = hi > 0 && hi / lo > 20 };
        if (!chart.YLog) chart.YMin = 0;
        if (run is not null) chart.Title += $" ({run.Options.Optimizer}, {run.Options.Schedule} schedule)";
        chart.Add(new LineSeries("", Epochs(history), lr) { ColorIndex = 2, Markers = history.Count <= 30 });
        EpochTicks(chart, history.Count);
        return chart.ToSvg();
    }

    private static double[] Epochs(IReadOnlyList<EpochMetrics> history)
    {
        var x = new double[history.Count];
        for (int i = 0; i < x.Length; i++) x[i] = history[i].Epoch;
        return x;
    }

    private static double[] Column(IReadOnlyList<EpochMetrics> history, Func<EpochMetrics, double> pick)
    {
        var y = new double[history.Count];
        for (int i = 0; i < y.Length; i++) y[i] = pick(history[i]);
        return y;
    }

    /// <summary>Whole epochs only while there are few (as the report does): a 3-epoch run would otherwise get a tick at 1.5.</summary>
    private static void EpochTicks(LineChart chart, int epochs)
    {
        if (epochs is 0 or > 10) return;
        var ticks = new double[epochs];
        for (int i = 0; i < epochs; i++) ticks[i] = i + 1;
        chart.XTicks = ticks;
        if (epochs == 1) { chart.XMin = 0.5; chart.XMax = 1.5; }
    }

    /// <summary>The colour a third of the way from white: the raw curve behind the smoothed one, as TensorBoard shows it.</summary>
    private static string Faded(string hex)
    {
        int Channel(int at) => 255 - (255 - Convert.ToInt32(hex.Substring(at, 2), 16)) / 3;
        return $"#{Channel(1):X2}{Channel(3):X2}{Channel(5):X2}";
    }
}
