using System.Globalization;

namespace Atelier.Reports;

/// <summary>Tick positions for an axis: the (possibly widened) domain and the labelled values within it.</summary>
public sealed record Ticks(double Min, double Max, double[] Values, bool Log)
{
    /// <summary>
    /// "Nice" linear ticks: a step of 1, 2 or 5 × 10^k giving about <paramref name="target"/> ticks; the domain is widened
    /// to whole steps so the ticks cover [min, max]. A degenerate range is widened around its value.
    /// </summary>
    public static Ticks Linear(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (min > max) (min, max) = (max, min);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            min -= pad;
            max += pad;
        }
        double step = NiceStep((max - min) / Math.Max(1, target - 1));
        double lo = Math.Floor(min / step + 1e-9) * step, hi = Math.Ceiling(max / step - 1e-9) * step;
        int n = (int)Math.Round((hi - lo) / step) + 1;
        int decimals = Decimals(step);
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = Math.Round(lo + i * step, decimals);
        return new Ticks(values[0], values[^1], values, false);
    }

    /// <summary>
    /// Log-scale ticks for positive data: powers of ten, with 2 and 5 multiples in between when the range spans few
    /// decades, and every other/third decade when it spans many. Non-positive bounds are invalid on a log axis.
    /// </summary>
    public static Ticks Logarithmic(double min, double max, int target = 6)
    {
        if (!(min > 0) || !(max > 0) || !double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (1, 10);
        if (min > max) (min, max) = (max, min);
        int e0 = (int)Math.Floor(Math.Log10(min) + 1e-9), e1 = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        if (e1 == e0) e1++;
        int decades = e1 - e0;
        var values = new List<double>();
        if (decades * 3 <= target + 1)
        {
            // Few decades: 1-2-5 ticks inside the data's range, domain snapped to the nearest enclosing tick.
            double lo = 0, hi = 0;
            for (int e = e0; e <= e1; e++)
                foreach (int m in (ReadOnlySpan<int>)[1, 2, 5])
                {
                    double v = Pow10(e, m);
                    if (v <= min * (1 + 1e-9)) lo = v;
                    if (v >= max * (1 - 1e-9) && hi == 0) hi = v;
                }
            for (int e = e0; e <= e1; e++)
                foreach (int m in (ReadOnlySpan<int>)[1, 2, 5])
                {
                    double v = Pow10(e, m);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) values.Add(v);
                }
        }
        else
        {
            int every = Math.Max(1, (int)Math.Ceiling(decades / (double)Math.Max(1, target - 1)));
            e0 = (int)Math.Floor(e0 / (double)every) * every;
            e1 = (int)Math.Ceiling(e1 / (double)every) * every;
            for (int e = e0; e <= e1; e += every) values.Add(Pow10(e, 1));
        }
        return new Ticks(values[0], values[^1], values.ToArray(), true);
    }

    /// <summary>Exactly these values as ticks (e.g. the batch sizes tried), domain from the smallest to the largest.</summary>
    public static Ticks Explicit(double[] values, bool log)
    {
        var v = new List<double>();
        foreach (var x in values)
            if (double.IsFinite(x) && (!log || x > 0) && !v.Contains(x)) v.Add(x);
        if (v.Count == 0) return log ? Logarithmic(1, 10) : Linear(0, 1);
        v.Sort();
        if (v.Count == 1) return log ? new Ticks(v[0] / 2, v[0] * 2, v.ToArray(), true) : new Ticks(v[0] - 1, v[0] + 1, v.ToArray(), false);
        return new Ticks(v[0], v[^1], v.ToArray(), log);
    }

    /// <summary>Labels with just enough decimals for the tick spacing; very small or large values as 1e-4.</summary>
    public string[] Labels()
    {
        var labels = new string[Values.Length];
        if (Log)
        {
            for (int i = 0; i < Values.Length; i++) labels[i] = FormatLog(Values[i]);
            return labels;
        }
        double step = Values.Length > 1 ? Math.Abs(Values[1] - Values[0]) : 1;
        double big = Math.Max(Math.Abs(Values[0]), Math.Abs(Values[^1]));
        bool sci = big >= 1e6 || (big < 1e-3 && big > 0);
        int decimals = Decimals(step);
        for (int i = 0; i < Values.Length; i++)
            labels[i] = sci ? Values[i].ToString("0.##e0", CultureInfo.InvariantCulture) : Values[i].ToString("F" + decimals, CultureInfo.InvariantCulture);
        return labels;
    }

    private static string FormatLog(double v)
    {
        double a = Math.Abs(v);
        if (a >= 1e-3 && a < 1e6) return v.ToString("0.####", CultureInfo.InvariantCulture);
        return v.ToString("0.#e0", CultureInfo.InvariantCulture);
    }

    private static double Pow10(int e, int m) => double.Parse($"{m}e{e}", CultureInfo.InvariantCulture);

    private static double NiceStep(double rough)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double f = rough / mag;
        double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        return nice * mag;
    }

    private static int Decimals(double step) => Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 15);
}
