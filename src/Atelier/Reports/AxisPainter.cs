namespace Atelier.Reports;

/// <summary>Draws tick marks, tick labels and grid lines shared by the charts.</summary>
internal static class AxisPainter
{
    public const double TickFont = 11, LabelFont = 12, TitleFont = 15, LegendFont = 11;

    /// <summary>Widest tick label in pixels.</summary>
    public static double MaxLabelWidth(string[] labels, double size = TickFont)
    {
        double w = 0;
        foreach (var l in labels) w = Math.Max(w, TextMetrics.Width(l, size));
        return w;
    }

    /// <summary>Vertical value axis on the left at x = <paramref name="x"/>, with horizontal grid lines to <paramref name="gridRight"/>.</summary>
    public static void Left(SvgWriter w, Ticks ticks, Scale s, double x, double gridRight)
    {
        var labels = ticks.Labels();
        for (int i = 0; i < ticks.Values.Length; i++)
        {
            double y = s.Map(ticks.Values[i]);
            if (!double.IsFinite(y)) continue;
            w.Line(x, y, gridRight, y, Palette.Grid);
            w.Line(x - 4, y, x, y, Palette.Axis);
            w.Text(x - 7, y + TickFont * 0.35, labels[i], TickFont, TextAnchor.End, Palette.MutedText);
        }
    }

    /// <summary>Horizontal axis at y = <paramref name="y"/>, with vertical grid lines up to <paramref name="gridTop"/>.</summary>
    public static void Bottom(SvgWriter w, Ticks ticks, Scale s, double y, double gridTop)
    {
        var labels = ticks.Labels();
        for (int i = 0; i < ticks.Values.Length; i++)
        {
            double x = s.Map(ticks.Values[i]);
            if (!double.IsFinite(x)) continue;
            w.Line(x, gridTop, x, y, Palette.Grid);
            w.Line(x, y, x, y + 4, Palette.Axis);
            w.Text(x, y + 6 + TickFont, labels[i], TickFont, TextAnchor.Middle, Palette.MutedText);
        }
    }

    /// <summary>Linear or log ticks over [min, max], with fewer ticks until the horizontal labels stop colliding.</summary>
    public static Ticks FitHorizontal(double min, double max, bool log, double pixels, int target)
    {
        for (int t = Math.Max(2, target); ; t--)
        {
            var ticks = log ? Ticks.Logarithmic(min, max, t) : Ticks.Linear(min, max, t);
            if (t <= 2 || ticks.Values.Length < 2) return ticks;
            double gap = pixels / (ticks.Values.Length - 1);
            if (log) gap = MinLogGap(ticks, pixels);
            if (MaxLabelWidth(ticks.Labels()) + 8 <= gap) return ticks;
        }
    }

    private static double MinLogGap(Ticks ticks, double pixels)
    {
        var s = Scale.For(ticks, 0, pixels);
        double gap = double.MaxValue;
        for (int i = 1; i < ticks.Values.Length; i++) gap = Math.Min(gap, s.Map(ticks.Values[i]) - s.Map(ticks.Values[i - 1]));
        return gap;
    }

    /// <summary>"name (unit)", or just the name.</summary>
    public static string Label(string? name, string? unit)
        => string.IsNullOrEmpty(unit) ? name ?? "" : string.IsNullOrEmpty(name) ? unit : $"{name} ({unit})";

    /// <summary>A stable id for a clipPath, so that several charts can share one HTML page.</summary>
    public static string StableId(string prefix, string content)
    {
        uint h = 2166136261;
        foreach (char c in content) h = (h ^ c) * 16777619;
        return $"{prefix}{h:x8}";
    }
}
