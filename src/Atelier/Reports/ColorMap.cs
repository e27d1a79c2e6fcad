using System.Globalization;

namespace Atelier.Reports;

/// <summary>A sequential colour map: piecewise-linear through evenly spaced RGB stops.</summary>
public sealed class ColorMap
{
    private readonly (byte R, byte G, byte B)[] stops;

    private ColorMap(params string[] hex)
    {
        stops = new (byte, byte, byte)[hex.Length];
        for (int i = 0; i < hex.Length; i++)
            stops[i] = (Hex(hex[i], 1), Hex(hex[i], 3), Hex(hex[i], 5));
    }

    /// <summary>matplotlib's viridis sampled at 0, 0.1, …, 1 (perceptually uniform, colour-blind safe).</summary>
    public static ColorMap Viridis { get; } = new("#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
        "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725");

    /// <summary>matplotlib's Blues (white → dark blue): zero cells stay white, which suits confusion matrices.</summary>
    public static ColorMap Blues { get; } = new("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6",
        "#2171b5", "#08519c", "#08306b");

    /// <summary>RGB at t in [0, 1] (clamped; NaN → 0).</summary>
    public (byte R, byte G, byte B) Rgb(double t)
    {
        if (!(t > 0)) t = 0;
        if (t > 1) t = 1;
        double p = t * (stops.Length - 1);
        int i = Math.Min((int)p, stops.Length - 2);
        double f = p - i;
        var a = stops[i];
        var b = stops[i + 1];
        return (Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
    }

    public string Hex(double t)
    {
        var (r, g, b) = Rgb(t);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    /// <summary>Black or white, whichever reads better on the colour at t (WCAG relative luminance).</summary>
    public string TextColor(double t)
    {
        var (r, g, b) = Rgb(t);
        double l = 0.2126 * Linear(r) + 0.7152 * Linear(g) + 0.0722 * Linear(b);
        // Contrast with white (1.05/(l+0.05)) beats contrast with black ((l+0.05)/0.05) below l ≈ 0.179.
        return l < 0.179 ? "#fff" : "#000";
    }

    private static double Linear(byte c)
    {
        double s = c / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
    }

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);

    private static byte Hex(string s, int at) => byte.Parse(s.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
