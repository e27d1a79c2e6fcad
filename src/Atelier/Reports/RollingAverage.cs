namespace Atelier.Reports;

/// <summary>Trailing moving average (pandas' rolling(window, min_periods=1).mean()): NaN inputs are skipped, not spread.</summary>
public static class RollingAverage
{
    public static double[] Compute(ReadOnlySpan<double> values, int window)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The rolling window must hold at least one value.");
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            // Summing each window afresh: series are short, and no drift from a running sum.
            double sum = 0;
            int count = 0;
            for (int j = Math.Max(0, i - window + 1); j <= i; j++)
                if (double.IsFinite(values[j])) { sum += values[j]; count++; }
            result[i] = count == 0 ? double.NaN : sum / count;
        }
        return result;
    }
}
