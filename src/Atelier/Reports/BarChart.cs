using System.Globalization;

namespace Atelier.Reports;

/// <summary>Grouped bars (categories × series) with value labels; horizontal bars leave room for long category names.</summary>
public sealed class BarChart
{
    private const double ValueFont = 10;

    public BarChart(string[] categories) => Categories = categories;

    public string? Title { get; set; }
    public string[] Categories { get; }
    public List<BarSeries> Series { get; } = [];
    public string? ValueLabel { get; set; }
    public string? ValueUnit { get; set; }
    public string? CategoryLabel { get; set; }
    public bool Horizontal { get; set; }
    public bool ShowValues { get; set; } = true;
    /// <summary>.NET format for the value labels, e.g. "0.000" or "0.0%".</summary>
    public string ValueFormat { get; set; } = "0.###";
    /// <summary>Start of the value axis when not 0 (a bar's length then no longer reads as its value: use with care).</summary>
    public double? ValueMin { get; set; }
    public double? ValueMax { get; set; }
    public int Width { get; set; } = 640;
    public int Height { get; set; } = 400;

    public BarChart Add(BarSeries series)
    {
        if (series.Values.Length != Categories.Length)
            throw new ArgumentException($"Series \"{series.Name}\" has {series.Values.Length} values for {Categories.Length} categories.");
        Series.Add(series);
        return this;
    }

    public string ToSvg() => Horizontal ? Draw(horizontal: true) : Draw(horizontal: false);

    private string Draw(bool horizontal)
    {
        int nc = Categories.Length, ns = Math.Max(1, Series.Count);
        int height = horizontal ? Math.Max(Height, (int)(90 + nc * Math.Max(22, ns * 16))) : Height;
        var w = new SvgWriter(Width, height, Title);
        double top = string.IsNullOrEmpty(Title) ? 14 : 40;
        string valueLabel = AxisPainter.Label(ValueLabel, ValueUnit);

        var names = new List<string>();
        foreach (var s in Series) names.Add(s.Name);
        var legend = Legend.Plan(names, Width, Series.Count > 1);
        double right = legend.RightWidth > 0 ? legend.RightWidth + 16 : 18;

        // Data extent, with 0 in range so bar lengths mean something.
        double lo = 0, hi = 0, widestValue = 0;
        foreach (var s in Series)
            foreach (var v in s.Values)
                if (double.IsFinite(v))
                {
                    lo = Math.Min(lo, v); hi = Math.Max(hi, v);
                    widestValue = Math.Max(widestValue, TextMetrics.Width(Format(v), ValueFont));
                }
        if (ValueMin is { } vmin) lo = vmin;
        double dataHi = hi;
        if (ValueMax is { } vmax) hi = vmax;
        if (hi <= lo) hi = lo + 1;

        double catLabelWidth = 0;
        foreach (var c in Categories) catLabelWidth = Math.Max(catLabelWidth, TextMetrics.Width(c, AxisPainter.TickFont));

        if (!string.IsNullOrEmpty(Title))
            w.Text(Width / 2.0, 25, TextMetrics.Fit(Title, Width - 20, AxisPainter.TitleFont), AxisPainter.TitleFont, TextAnchor.Middle, Palette.Text, bold: true);

        double x0, x1, y0, y1;
        Ticks ticks;
        Scale vs;
        if (!horizontal)
        {
            var probe = Ticks.Linear(lo, hi, 6);
            double left = 10 + (valueLabel.Length > 0 ? AxisPainter.LabelFont + 10 : 0) + AxisPainter.MaxLabelWidth(probe.Labels()) + 16;
            x0 = left; x1 = Width - right;
            double group = (x1 - x0) / Math.Max(1, nc);
            // Category labels: level if they fit their slot, else rotated 40° and cut to 130 px.
            bool rotate = catLabelWidth > group - 6;
            double catDepth = rotate ? Math.Min(catLabelWidth, 130) * Math.Sin(40 * Math.PI / 180) + AxisPainter.TickFont + 6 : AxisPainter.TickFont + 10;
            double bottom = 8 + catDepth + (CategoryLabel is { Length: > 0 } ? AxisPainter.LabelFont + 10 : 0) + legend.BelowHeight;
            y0 = height - bottom; y1 = top + (ShowValues ? 4 : 0);
            double barW = group * 0.8 / ns;
            bool rotateValues = ShowValues && widestValue > barW + 2;
            double headroom = ShowValues ? (rotateValues ? widestValue + 6 : ValueFont + 6) : 0;
            ticks = WithHeadroom(Ticks.Linear(lo, hi, Math.Clamp((int)((y0 - y1) / 50), 3, 8)), headroom / (y0 - y1), dataHi);
            vs = Scale.For(ticks, y0, y1);
            AxisPainter.Left(w, ticks, vs, x0, x1);
            w.Line(x0, y0, x1, y0, Palette.Axis).Line(x0, y0, x0, y1, Palette.Axis);
            if (valueLabel.Length > 0)
                w.Text(10 + AxisPainter.LabelFont, (y0 + y1) / 2, TextMetrics.Fit(valueLabel, y0 - y1, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, rotate: -90);
            if (CategoryLabel is { Length: > 0 })
                w.Text((x0 + x1) / 2, height - 10 - legend.BelowHeight, TextMetrics.Fit(CategoryLabel, x1 - x0, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text);
            double baseline = vs.Map(Math.Clamp(0, ticks.Min, ticks.Max));
            for (int c = 0; c < nc; c++)
            {
                double gx = x0 + c * group;
                double cx = gx + group / 2;
                if (rotate)
                    w.Text(cx + 3, y0 + 14, TextMetrics.Fit(Categories[c], 130, AxisPainter.TickFont), AxisPainter.TickFont, TextAnchor.End, Palette.Text, rotate: -40);
                else
                    w.Text(cx, y0 + 6 + AxisPainter.TickFont, Categories[c], AxisPainter.TickFont, TextAnchor.Middle, Palette.Text);
                for (int s = 0; s < Series.Count; s++)
                {
                    double v = Series[s].Values[c];
                    if (!double.IsFinite(v)) continue;
                    double bx = gx + group * 0.1 + s * barW;
                    double by = vs.Map(Math.Clamp(v, ticks.Min, ticks.Max));
                    w.Rect(bx + 0.5, Math.Min(by, baseline), barW - 1, Math.Abs(baseline - by), ColorOf(s));
                    if (!ShowValues) continue;
                    double mid = bx + barW / 2;
                    if (rotateValues)
                        w.Text(mid + ValueFont * 0.35, v >= 0 ? by - 4 : by + 4, Format(v), ValueFont, v >= 0 ? TextAnchor.Start : TextAnchor.End, Palette.Text, rotate: -90);
                    else
                        w.Text(mid, v >= 0 ? by - 4 : by + ValueFont + 2, Format(v), ValueFont, TextAnchor.Middle, Palette.Text);
                }
            }
        }
        else
        {
            double catW = Math.Min(catLabelWidth, Width * 0.35);
            double left = 10 + (CategoryLabel is { Length: > 0 } ? AxisPainter.LabelFont + 10 : 0) + catW + 10;
            double bottom = 8 + 6 + AxisPainter.TickFont + 4 + (valueLabel.Length > 0 ? AxisPainter.LabelFont + 10 : 0) + legend.BelowHeight;
            x0 = left; x1 = Width - right; y0 = height - bottom; y1 = top;
            double headroom = ShowValues ? widestValue + 8 : 0;
            ticks = WithHeadroom(AxisPainter.FitHorizontal(lo, hi, false, x1 - x0, Math.Clamp((int)((x1 - x0) / 70), 3, 10)), headroom / (x1 - x0), dataHi);
            vs = Scale.For(ticks, x0, x1);
            AxisPainter.Bottom(w, ticks, vs, y0, y1);
            w.Line(x0, y0, x1, y0, Palette.Axis).Line(x0, y0, x0, y1, Palette.Axis);
            if (valueLabel.Length > 0)
                w.Text((x0 + x1) / 2, height - 10 - legend.BelowHeight, TextMetrics.Fit(valueLabel, x1 - x0, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text);
            if (CategoryLabel is { Length: > 0 })
                w.Text(10 + AxisPainter.LabelFont, (y0 + y1) / 2, TextMetrics.Fit(CategoryLabel, y0 - y1, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, rotate: -90);
            double group = (y0 - y1) / Math.Max(1, nc);
            double barH = group * 0.8 / ns;
            double baseline = vs.Map(Math.Clamp(0, ticks.Min, ticks.Max));
            for (int c = 0; c < nc; c++)
            {
                double gy = y1 + c * group;
                w.Text(x0 - 8, gy + group / 2 + AxisPainter.TickFont * 0.35, TextMetrics.Fit(Categories[c], catW, AxisPainter.TickFont), AxisPainter.TickFont, TextAnchor.End, Palette.Text);
                for (int s = 0; s < Series.Count; s++)
                {
                    double v = Series[s].Values[c];
                    if (!double.IsFinite(v)) continue;
                    double by = gy + group * 0.1 + s * barH;
                    double bx = vs.Map(Math.Clamp(v, ticks.Min, ticks.Max));
                    w.Rect(Math.Min(bx, baseline), by + 0.5, Math.Abs(bx - baseline), barH - 1, ColorOf(s));
                    if (ShowValues)
                        w.Text(v >= 0 ? bx + 4 : bx - 4, by + barH / 2 + ValueFont * 0.35, Format(v), Math.Min(ValueFont, barH), v >= 0 ? TextAnchor.Start : TextAnchor.End, Palette.Text);
                }
            }
        }

        legend.Draw(w, x1 + 16, y1, x0, height - 6 - legend.BelowHeight, (sw, i, x, y) => sw.Rect(x + 5, y - 6, 14, 12, ColorOf(i)));
        return w.Finish();
    }

    /// <summary>
    /// Stretches the domain (not the ticks) past the longest bar so its value label fits in the plot:
    /// (max − hi) / (max − min) ≥ fraction of the plot's length.
    /// </summary>
    private static Ticks WithHeadroom(Ticks ticks, double fraction, double hi)
    {
        if (hi <= 0 || fraction <= 0) return ticks;
        fraction = Math.Min(fraction, 0.7);
        double max = Math.Max(ticks.Max, (hi - fraction * ticks.Min) / (1 - fraction));
        return ticks with { Max = max };
    }

    private string ColorOf(int s) => Series[s].Color ?? Palette.Color(s);

    private string Format(double v) => v.ToString(ValueFormat, CultureInfo.InvariantCulture);
}
