using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>One axis of a study figure: numeric ticks (linear or log) or a categorical parameter's choices at 0, 1, 2, ….</summary>
internal sealed record StudyAxis(Ticks Ticks, string[] Labels, string Label)
{
    public bool Log => Ticks.Log;

    public static StudyAxis Numeric(IEnumerable<double> values, bool log, string label, int target = 6)
    {
        var v = values.Where(d => double.IsFinite(d) && (!log || d > 0)).ToList();
        Ticks t = v.Count == 0 ? (log ? Ticks.Logarithmic(1, 10, target) : Ticks.Linear(0, 1, target))
                : log ? Ticks.Logarithmic(v.Min(), v.Max(), target) : Ticks.Linear(v.Min(), v.Max(), target);
        return new StudyAxis(t, t.Labels(), label);
    }

    public static StudyAxis Categorical(IReadOnlyList<string> choices, string label)
    {
        var values = Enumerable.Range(0, choices.Count).Select(i => (double)i).ToArray();
        return new StudyAxis(new Ticks(-0.5, choices.Count - 0.5, values, false), [.. choices], label);
    }

    /// <summary>The axis of a parameter over the internal values seen.</summary>
    public static StudyAxis For(Distribution d, IEnumerable<double> values, string label, int target = 6) => d switch
    {
        CategoricalDistribution c => Categorical(c.Choices, label),
        FloatDistribution f => Numeric(values, f.Log, label, target),
        IntDistribution i => Numeric(values, i.Log, label, target),
        _ => Numeric(values, false, label, target),
    };
}

/// <summary>The plot area of one panel, once its axes are drawn.</summary>
internal readonly record struct Panel(Scale X, Scale Y, double X0, double X1, double Y0, double Y1);

/// <summary>Shared drawing for the study figures: framed panels with grid, tick labels and axis names.</summary>
internal static class StudyPlot
{
    /// <summary>Draws a panel's title, grid, ticks and axis names in the box (ox, oy, width, height).</summary>
    public static Panel Frame(SvgWriter w, double ox, double oy, double width, double height, string? title, StudyAxis x, StudyAxis y)
    {
        double top = oy + (string.IsNullOrEmpty(title) ? 12 : 34);
        double bottom = 8 + 6 + AxisPainter.TickFont + 4 + (x.Label.Length > 0 ? AxisPainter.LabelFont + 10 : 0);
        double yLabelWidth = Math.Min(AxisPainter.MaxLabelWidth(y.Labels), 90);
        double left = ox + 10 + (y.Label.Length > 0 ? AxisPainter.LabelFont + 10 : 0) + yLabelWidth + 8;
        double x0 = left, x1 = ox + width - 16, y0 = oy + height - bottom, y1 = top;
        var xs = Scale.For(x.Ticks, x0, x1);
        var ys = Scale.For(y.Ticks, y0, y1);
        if (!string.IsNullOrEmpty(title))
            w.Text(ox + width / 2, oy + 22, TextMetrics.Fit(title, width - 20, AxisPainter.TitleFont - 1), AxisPainter.TitleFont - 1, TextAnchor.Middle, Palette.Text, bold: true);
        for (int i = 0; i < y.Ticks.Values.Length; i++)
        {
            double py = ys.Map(y.Ticks.Values[i]);
            if (!double.IsFinite(py)) continue;
            w.Line(x0, py, x1, py, Palette.Grid).Line(x0 - 4, py, x0, py, Palette.Axis);
            w.Text(x0 - 7, py + AxisPainter.TickFont * 0.35, TextMetrics.Fit(y.Labels[i], 90, AxisPainter.TickFont), AxisPainter.TickFont, TextAnchor.End, Palette.MutedText);
        }
        double gap = x.Ticks.Values.Length > 1 ? (x1 - x0) / x.Ticks.Values.Length : x1 - x0;
        for (int i = 0; i < x.Ticks.Values.Length; i++)
        {
            double px = xs.Map(x.Ticks.Values[i]);
            if (!double.IsFinite(px)) continue;
            w.Line(px, y1, px, y0, Palette.Grid).Line(px, y0, px, y0 + 4, Palette.Axis);
            w.Text(px, y0 + 6 + AxisPainter.TickFont, TextMetrics.Fit(x.Labels[i], Math.Max(gap - 4, 24), AxisPainter.TickFont), AxisPainter.TickFont, TextAnchor.Middle, Palette.MutedText);
        }
        w.Line(x0, y0, x1, y0, Palette.Axis).Line(x0, y0, x0, y1, Palette.Axis);
        if (x.Label.Length > 0)
            w.Text((x0 + x1) / 2, oy + height - 10, TextMetrics.Fit(x.Label, x1 - x0, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text);
        if (y.Label.Length > 0)
            w.Text(ox + 10 + AxisPainter.LabelFont, (y0 + y1) / 2, TextMetrics.Fit(y.Label, y0 - y1, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, rotate: -90);
        return new Panel(xs, ys, x0, x1, y0, y1);
    }

    /// <summary>Where a colour for value v lies between lo and hi (0.5 when they are equal), 1 for the best end.</summary>
    public static double Shade(double v, double lo, double hi, StudyDirection direction)
    {
        double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        t = Math.Clamp(t, 0, 1);
        return direction == StudyDirection.Minimize ? 1 - t : t;
    }

    /// <summary>A colour bar from lo to hi at (x, y) of the given height, best end on top.</summary>
    public static void ColorBar(SvgWriter w, double x, double y, double height, double lo, double hi, StudyDirection direction, string label)
    {
        const int slices = 48;
        for (int k = 0; k < slices; k++)
        {
            double v = lo + (hi - lo) * (k + 0.5) / slices;
            double t = Shade(v, lo, hi, direction);
            double sy = direction == StudyDirection.Minimize ? y + k * height / slices : y + height - (k + 1) * height / slices;
            w.Rect(x, sy, 12, height / slices + 0.5, ColorMap.Viridis.Hex(t));
        }
        w.Rect(x, y, 12, height, "none", "#888", 0.8);
        var ticks = Ticks.Linear(lo, hi, 5);
        var labels = ticks.Labels();
        for (int i = 0; i < ticks.Values.Length; i++)
        {
            double v = ticks.Values[i];
            if (v < Math.Min(lo, hi) - 1e-12 || v > Math.Max(lo, hi) + 1e-12 || hi <= lo) continue;
            double f = (v - lo) / (hi - lo);
            double py = direction == StudyDirection.Minimize ? y + f * height : y + height - f * height;
            w.Line(x + 12, py, x + 16, py, Palette.Axis);
            w.Text(x + 19, py + 4, labels[i], AxisPainter.TickFont, TextAnchor.Start, Palette.MutedText);
        }
        if (hi <= lo) w.Text(x + 19, y + height / 2 + 4, Shown(lo), AxisPainter.TickFont, TextAnchor.Start, Palette.MutedText);
        w.Text(x, y - 8, label, AxisPainter.TickFont, TextAnchor.Start, Palette.Text);
    }

    public static string Shown(double v) => v.ToString("G5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Complete trials with a finite value.</summary>
    public static List<FrozenTrial> Complete(IEnumerable<FrozenTrial> trials)
        => trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)).OrderBy(t => t.Number).ToList();

    /// <summary>Parameters of the complete trials that take more than one value, in order of first appearance.</summary>
    public static List<(string Name, Distribution Distribution)> Parameters(IReadOnlyList<FrozenTrial> complete)
    {
        var seen = new List<(string, Distribution)>();
        foreach (var t in complete)
            foreach (var (name, d) in t.Distributions)
                if (!d.IsSingle && seen.All(s => s.Item1 != name)) seen.Add((name, d));
        return seen;
    }

    /// <summary>The value a trial had for a parameter as plotted: internal value (categorical index), NaN when absent.</summary>
    public static double At(FrozenTrial t, string name) => t.Params.TryGetValue(name, out var v) ? v : double.NaN;

    /// <summary>A small cross (the mark of a pruned trial).</summary>
    public static void Cross(SvgWriter w, double x, double y, string color)
        => w.Path($"M{SvgWriter.Num(x - 3.5)},{SvgWriter.Num(y - 3.5)}L{SvgWriter.Num(x + 3.5)},{SvgWriter.Num(y + 3.5)}M{SvgWriter.Num(x - 3.5)},{SvgWriter.Num(y + 3.5)}L{SvgWriter.Num(x + 3.5)},{SvgWriter.Num(y - 3.5)}", color, 1.6, extra: "class=\"pruned\"");
}
