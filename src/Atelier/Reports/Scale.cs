namespace Atelier.Reports;

/// <summary>Maps data values in [Min, Max] to pixels in [From, To], linearly or on log10; NaN for values a log axis cannot show.</summary>
public readonly record struct Scale(double Min, double Max, double From, double To, bool Log)
{
    public static Scale For(Ticks ticks, double from, double to) => new(ticks.Min, ticks.Max, from, to, ticks.Log);

    public double Map(double v)
    {
        if (!double.IsFinite(v)) return double.NaN;
        double t;
        if (Log)
        {
            if (v <= 0) return double.NaN;
            t = (Math.Log10(v) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min));
        }
        else t = (v - Min) / (Max - Min);
        return From + t * (To - From);
    }
}
