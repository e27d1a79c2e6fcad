namespace Atelier.Reports;

/// <summary>
/// Where a chart's legend goes: a column right of the plot when names are short, else rows under the x axis; never on
/// the data. Long names lose their middle, so "… train" and "… validation" stay distinguishable.
/// </summary>
internal sealed class Legend
{
    public const double Font = AxisPainter.LegendFont, Row = Font + 8, Swatch = 24, SwatchGap = 6, ColumnGap = 18;

    private readonly string[] names;

    private Legend(string[] names, bool below, double textWidth, int columns)
    {
        this.names = names;
        Below = below;
        TextWidth = textWidth;
        Columns = columns;
    }

    public bool Below { get; }
    public double TextWidth { get; }
    public int Columns { get; }
    public int Rows => (names.Length + Columns - 1) / Columns;

    /// <summary>Room taken right of the plot (0 when below).</summary>
    public double RightWidth => Below || names.Length == 0 ? 0 : 14 + Swatch + SwatchGap + TextWidth;

    /// <summary>Room taken under the x-axis label (0 when at the right).</summary>
    public double BelowHeight => Below ? Rows * Row + 4 : 0;

    public static Legend Plan(IReadOnlyList<string> seriesNames, double figureWidth, bool show)
    {
        var names = new string[show ? seriesNames.Count : 0];
        for (int i = 0; i < names.Length; i++) names[i] = seriesNames[i];
        double natural = 0;
        foreach (var n in names) natural = Math.Max(natural, TextMetrics.Width(n, Font));
        if (natural <= figureWidth * 0.26) return new Legend(names, false, natural, 1);
        double usable = figureWidth - 40;
        double entry = Swatch + SwatchGap + natural + ColumnGap;
        int cols = Math.Clamp((int)(usable / entry), 1, Math.Max(1, names.Length));
        double text = Math.Min(natural, usable / cols - Swatch - SwatchGap - ColumnGap);
        return new Legend(names, true, text, cols);
    }

    /// <summary>Draws the entries; <paramref name="swatch"/> paints entry i's sample centred at (x + 12, y).</summary>
    public void Draw(SvgWriter w, double rightX, double rightTop, double belowX, double belowTop, Action<SvgWriter, int, double, double> swatch)
    {
        double colW = Swatch + SwatchGap + TextWidth + ColumnGap;
        for (int i = 0; i < names.Length; i++)
        {
            double x = Below ? belowX + (i % Columns) * colW : rightX;
            double y = Below ? belowTop + (i / Columns) * Row + Row / 2 : rightTop + i * Row + Row / 2;
            swatch(w, i, x, y);
            w.Text(x + Swatch + SwatchGap, y + Font * 0.35, TextMetrics.FitMiddle(names[i], TextWidth + 1, Font), Font, TextAnchor.Start, Palette.Text, cssClass: "legend");
        }
    }
}
