namespace Atelier.Server.Pages;

/// <summary>TensorBoard's curve smoothing: an exponential moving average, debiased so the first points are not pulled to zero.</summary>
public static class Smoothing
{
    /// <param name="weight">0 (none) to below 1 (heavy); gaps (NaN) stay gaps and do not reset the average.</param>
    public static double[] Ema(double[] values, double weight)
    {
        var smoothed = new double[values.Length];
        double last = 0;
        int count = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) { smoothed[i] = double.NaN; continue; }
            last = last * weight + (1 - weight) * values[i];
            count++;
            smoothed[i] = weight == 0 ? values[i] : last / (1 - Math.Pow(weight, count));
        }
        return smoothed;
    }

    /// <summary>The smoothing a request asked for, clamped to [0, 0.99]; anything unreadable means none.</summary>
    public static double Parse(string? text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double w) && double.IsFinite(w)
            ? Math.Clamp(w, 0, 0.99) : 0;
}
