namespace Atelier.Reports;

/// <summary>Several named series on linear or log axes; the legend sits right of or under the plot, never on the data.</summary>
public sealed class LineChart
{
    public string? Title { get; set; }
    public string? XLabel { get; set; }
    public string? XUnit { get; set; }
    public string? YLabel { get; set; }
    public string? YUnit { get; set; }
    public bool XLog { get; set; }
    public bool YLog { get; set; }
    public double? XMin { get; set; }
    public double? XMax { get; set; }
    public double? YMin { get; set; }
    public double? YMax { get; set; }
    /// <summary>Label exactly these x values (e.g. the batch sizes tried) instead of computed ticks.</summary>
    public double[]? XTicks { get; set; }
    public int Width { get; set; } = 640;
    public int Height { get; set; } = 400;
    public List<LineSeries> Series { get; } = [];

    public LineChart Add(LineSeries series)
    {
        Series.Add(series);
        return this;
    }

    public string ToSvg()
    {
        var w = new SvgWriter(Width, Height, Title);
        double top = string.IsNullOrEmpty(Title) ? 14 : 38;
        string xLabel = AxisPainter.Label(XLabel, XUnit), yLabel = AxisPainter.Label(YLabel, YUnit);
        double bottom = 8 + 6 + AxisPainter.TickFont + 4 + (xLabel.Length > 0 ? AxisPainter.LabelFont + 10 : 0);

        bool show = Series.Count > 1 || (Series.Count == 1 && Series[0].Name.Length > 0);
        var names = new List<string>();
        foreach (var s in Series) names.Add(s.Name);
        var legend = Legend.Plan(names, Width, show);
        double right = legend.RightWidth > 0 ? legend.RightWidth + 16 : 18;
        bottom += legend.BelowHeight;

        var (xMin, xMax, yMin, yMax, any) = Extent();
        double plotH = Height - top - bottom;
        var yTicks = YLog ? Ticks.Logarithmic(yMin, yMax, Math.Clamp((int)(plotH / 50), 3, 8))
                          : Ticks.Linear(yMin, yMax, Math.Clamp((int)(plotH / 50), 3, 8));
        double left = 10 + (yLabel.Length > 0 ? AxisPainter.LabelFont + 10 : 0) + AxisPainter.MaxLabelWidth(yTicks.Labels()) + 8;
        double plotW = Width - left - right;
        var xTicks = XTicks is not null ? Ticks.Explicit(XTicks, XLog)
                   : AxisPainter.FitHorizontal(xMin, xMax, XLog, plotW, Math.Clamp((int)(plotW / 70), 3, 10));
        if (XTicks is not null)
        {
            // Explicit ticks only bound the domain where the data does not reach further.
            xTicks = xTicks with { Min = Math.Min(xTicks.Min, xMin), Max = Math.Max(xTicks.Max, xMax) };
        }
        double x0 = left, x1 = Width - right, y0 = Height - bottom, y1 = top;
        var xs = Scale.For(xTicks, x0, x1);
        var ys = Scale.For(yTicks, y0, y1);

        if (!string.IsNullOrEmpty(Title))
            w.Text(Width / 2.0, 24, TextMetrics.Fit(Title, Width - 20, AxisPainter.TitleFont), AxisPainter.TitleFont, TextAnchor.Middle, Palette.Text, bold: true);
        AxisPainter.Left(w, yTicks, ys, x0, x1);
        AxisPainter.Bottom(w, xTicks, xs, y0, y1);
        w.Line(x0, y0, x1, y0, Palette.Axis).Line(x0, y0, x0, y1, Palette.Axis);
        if (xLabel.Length > 0)
            w.Text((x0 + x1) / 2, Height - 10 - legend.BelowHeight, TextMetrics.Fit(xLabel, plotW, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text);
        if (yLabel.Length > 0)
            w.Text(10 + AxisPainter.LabelFont, (y0 + y1) / 2, TextMetrics.Fit(yLabel, y0 - y1, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, rotate: -90);

        var data = SvgWriter.Fragment();
        for (int i = 0; i < Series.Count; i++) DrawSeries(data, Series[i], i, xs, ys);
        string body = data.Finish();
        string id = AxisPainter.StableId("clip", body);
        w.Raw($"<clipPath id=\"{id}\"><rect x=\"{SvgWriter.Num(x0 - 4)}\" y=\"{SvgWriter.Num(y1 - 4)}\" width=\"{SvgWriter.Num(x1 - x0 + 8)}\" height=\"{SvgWriter.Num(y0 - y1 + 8)}\"/></clipPath>");
        w.OpenGroup($"clip-path=\"url(#{id})\"").Raw(body).CloseGroup();
        if (!any) w.Text((x0 + x1) / 2, (y0 + y1) / 2, "no data", 13, TextAnchor.Middle, Palette.MutedText);

        legend.Draw(w, x1 + 16, y1, x0, Height - 6 - legend.BelowHeight, (sw, i, x, y) =>
        {
            var s = Series[i];
            string color = ColorOf(s, i);
            sw.Line(x, y, x + Legend.Swatch, y, color, 2, s.Dashed ? "6,4" : null);
            if (s.Markers) Marker(sw, x + Legend.Swatch / 2, y, color, s.Dashed);
        });
        return w.Finish();
    }

    private void DrawSeries(SvgWriter w, LineSeries s, int index, Scale xs, Scale ys)
    {
        string color = ColorOf(s, index);
        var path = new PathData();
        var pts = new List<(double X, double Y)>();
        for (int i = 0; i < s.X.Length; i++)
        {
            double px = xs.Map(s.X[i]), py = ys.Map(s.Y[i]);
            path.Add(px, py);
            if (double.IsFinite(px) && double.IsFinite(py)) pts.Add((px, py));
        }
        string d = path.ToString();
        if (d.Length > 0) w.Path(d, color, 2, s.Dashed ? "6,4" : null, extra: $"class=\"series\" data-name=\"{SvgWriter.Escape(s.Name)}\"");
        // A lone point draws no line, so it always gets a marker.
        if (s.Markers || pts.Count == 1)
            foreach (var (px, py) in pts) Marker(w, px, py, color, s.Dashed);
    }

    private static void Marker(SvgWriter w, double x, double y, string color, bool hollow)
        => w.Circle(x, y, 3, hollow ? "#fff" : color, hollow ? color : null);

    private string ColorOf(LineSeries s, int index) => s.Color ?? Palette.Color(s.ColorIndex ?? index);

    private (double XMin, double XMax, double YMin, double YMax, bool Any) Extent()
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var s in Series)
            for (int i = 0; i < s.X.Length; i++)
            {
                double x = s.X[i], y = s.Y[i];
                if (!double.IsFinite(x) || !double.IsFinite(y) || (XLog && x <= 0) || (YLog && y <= 0)) continue;
                xMin = Math.Min(xMin, x); xMax = Math.Max(xMax, x);
                yMin = Math.Min(yMin, y); yMax = Math.Max(yMax, y);
            }
        bool any = xMin <= xMax;
        if (!any) (xMin, xMax, yMin, yMax) = XLog || YLog ? (1, 10, 1, 10) : (0, 1, 0, 1);
        if (!XLog) (xMin, xMax) = (XMin ?? xMin, XMax ?? xMax);
        if (!YLog) (yMin, yMax) = (YMin ?? yMin, YMax ?? yMax);
        if (XLog) (xMin, xMax) = (XMin is > 0 ? XMin.Value : xMin, XMax is > 0 ? XMax.Value : xMax);
        if (YLog) (yMin, yMax) = (YMin is > 0 ? YMin.Value : yMin, YMax is > 0 ? YMax.Value : yMax);
        return (xMin, xMax, yMin, yMax, any);
    }
}
