using System.Globalization;

namespace Atelier.Reports;

/// <summary>A matrix of coloured, annotated cells with named rows and columns and a colour bar; e.g. a confusion matrix.</summary>
public sealed class Heatmap
{
    public Heatmap(double[,] values, string[] rowNames, string[] columnNames)
    {
        if (values.GetLength(0) != rowNames.Length || values.GetLength(1) != columnNames.Length)
            throw new ArgumentException($"A {values.GetLength(0)}×{values.GetLength(1)} heatmap needs {values.GetLength(0)} row names and {values.GetLength(1)} column names; got {rowNames.Length} and {columnNames.Length}.");
        Values = values;
        RowNames = rowNames;
        ColumnNames = columnNames;
    }

    /// <summary>Confusion matrix [actual, predicted]: counts, or each row divided by its sum (recall on the diagonal).</summary>
    public static Heatmap Confusion(long[,] counts, string[] classNames, bool normalize, string? title = null)
    {
        int n = counts.GetLength(0);
        var v = new double[n, counts.GetLength(1)];
        for (int i = 0; i < n; i++)
        {
            long row = 0;
            for (int j = 0; j < v.GetLength(1); j++) row += counts[i, j];
            for (int j = 0; j < v.GetLength(1); j++) v[i, j] = normalize ? (row == 0 ? 0 : (double)counts[i, j] / row) : counts[i, j];
        }
        return new Heatmap(v, classNames, classNames)
        {
            Title = title,
            CellFormat = normalize ? "0.00" : "0",
            RowLabel = "actual",
            ColumnLabel = "predicted",
            Max = normalize ? 1 : null,
        };
    }

    public double[,] Values { get; }
    public string[] RowNames { get; }
    public string[] ColumnNames { get; }
    public string? Title { get; set; }
    public string? RowLabel { get; set; }
    public string? ColumnLabel { get; set; }
    public string CellFormat { get; set; } = "0.##";
    public bool Annotate { get; set; } = true;
    public ColorMap Colors { get; set; } = ColorMap.Blues;
    /// <summary>Colour scale bounds; default 0 (or the minimum when negative) to the maximum.</summary>
    public double? Min { get; set; }
    public double? Max { get; set; }
    /// <summary>Largest figure size; cells are square and the figure shrinks to fit them.</summary>
    public int MaxWidth { get; set; } = 640;
    public int MaxHeight { get; set; } = 580;

    public string ToSvg()
    {
        int rows = RowNames.Length, cols = ColumnNames.Length;
        const double font = AxisPainter.TickFont;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (var v in Values)
            if (double.IsFinite(v)) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        if (lo > hi) (lo, hi) = (0, 1);
        lo = Min ?? Math.Min(0, lo);
        hi = Max ?? hi;
        if (hi <= lo) hi = lo + 1;

        var barTicks = Ticks.Linear(lo, hi, 5);
        var barLabels = barTicks.Labels();
        double barLabelW = AxisPainter.MaxLabelWidth(barLabels);
        double colorBar = 18 + 14 + 6 + barLabelW + 10;

        double rowW = 0, colW = 0;
        foreach (var r in RowNames) rowW = Math.Max(rowW, TextMetrics.Width(r, font));
        foreach (var c in ColumnNames) colW = Math.Max(colW, TextMetrics.Width(c, font));
        rowW = Math.Min(rowW, MaxWidth * 0.3);
        colW = Math.Min(colW, 120);
        double top = string.IsNullOrEmpty(Title) ? 12 : 40;
        double left = 10 + (RowLabel is { Length: > 0 } ? AxisPainter.LabelFont + 10 : 0) + rowW + 8;
        double axisLabel = ColumnLabel is { Length: > 0 } ? AxisPainter.LabelFont + 12 : 0;

        // Column names level if they fit a cell, else rotated 45°.
        double bottom = 8 + font + 8 + axisLabel;
        double cell = CellSize(left, top, bottom, colorBar, rows, cols);
        bool rotate = colW > cell - 4;
        if (rotate)
        {
            bottom = 8 + colW * Math.Sin(Math.PI / 4) + font + 4 + axisLabel;
            cell = CellSize(left, top, bottom, colorBar, rows, cols);
        }
        double gx = left, gy = top, gw = cell * cols, gh = cell * rows;
        double width = Math.Max(left + gw + colorBar, string.IsNullOrEmpty(Title) ? 0 : TextMetrics.Width(Title, AxisPainter.TitleFont) + 20);
        width = Math.Min(width, MaxWidth);
        double height = top + gh + bottom;
        var w = new SvgWriter(Math.Ceiling(width), Math.Ceiling(height), Title);
        if (!string.IsNullOrEmpty(Title))
            w.Text(width / 2, 25, TextMetrics.Fit(Title, width - 20, AxisPainter.TitleFont), AxisPainter.TitleFont, TextAnchor.Middle, Palette.Text, bold: true);

        // Annotation size: fits the widest formatted value in 90% of a cell, at most 12 px.
        int chars = 1;
        foreach (var v in Values) if (double.IsFinite(v)) chars = Math.Max(chars, Format(v).Length);
        double annot = Math.Min(12, Math.Min(cell * 0.35, cell * 0.9 / (chars * TextMetrics.CharWidth)));

        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double v = Values[i, j];
                double x = gx + j * cell, y = gy + i * cell;
                if (!double.IsFinite(v))
                {
                    w.Rect(x, y, cell, cell, "#fff", "#ddd");
                    continue;
                }
                double t = (v - lo) / (hi - lo);
                w.Rect(x, y, cell + 0.5, cell + 0.5, Colors.Hex(t)); // +0.5 hides anti-aliasing seams between cells
                if (Annotate && annot >= 6)
                    w.Text(x + cell / 2, y + cell / 2 + annot * 0.35, Format(v), annot, TextAnchor.Middle, Colors.TextColor(t));
            }
        w.Rect(gx, gy, gw, gh, "none", "#888", 0.8);

        for (int i = 0; i < rows; i++)
            w.Text(gx - 6, gy + (i + 0.5) * cell + font * 0.35, TextMetrics.Fit(RowNames[i], rowW, font), font, TextAnchor.End, Palette.Text);
        for (int j = 0; j < cols; j++)
        {
            double cx = gx + (j + 0.5) * cell;
            if (rotate) w.Text(cx + 4, gy + gh + 12, TextMetrics.Fit(ColumnNames[j], colW, font), font, TextAnchor.End, Palette.Text, rotate: -45);
            else w.Text(cx, gy + gh + 6 + font, ColumnNames[j], font, TextAnchor.Middle, Palette.Text);
        }
        if (RowLabel is { Length: > 0 })
            w.Text(10 + AxisPainter.LabelFont, gy + gh / 2, TextMetrics.Fit(RowLabel, gh, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, bold: true, rotate: -90);
        if (ColumnLabel is { Length: > 0 })
            w.Text(gx + gw / 2, height - 10, TextMetrics.Fit(ColumnLabel, gw, AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, bold: true);

        // Colour bar: 64 slices from lo (bottom) to hi (top).
        double bx = gx + gw + 18;
        const int slices = 64;
        for (int k = 0; k < slices; k++)
        {
            double t0 = (double)k / slices;
            w.Rect(bx, gy + gh - (k + 1) * gh / slices, 14, gh / slices + 0.5, Colors.Hex(t0 + 0.5 / slices));
        }
        w.Rect(bx, gy, 14, gh, "none", "#888", 0.8);
        for (int k = 0; k < barTicks.Values.Length; k++)
        {
            double t = barTicks.Values[k];
            if (t < lo - 1e-9 || t > hi + 1e-9) continue;
            double y = gy + gh - (t - lo) / (hi - lo) * gh;
            w.Line(bx + 14, y, bx + 18, y, Palette.Axis);
            w.Text(bx + 21, y + font * 0.35, barLabels[k], font, TextAnchor.Start, Palette.MutedText);
        }
        return w.Finish();
    }

    private double CellSize(double left, double top, double bottom, double colorBar, int rows, int cols)
        => Math.Clamp(Math.Min((MaxWidth - left - colorBar) / cols, (MaxHeight - top - bottom) / rows), 8, 60);

    private string Format(double v) => v.ToString(CellFormat, CultureInfo.InvariantCulture);
}
