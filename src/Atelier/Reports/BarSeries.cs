namespace Atelier.Reports;

/// <summary>One value per category; a non-finite value draws no bar.</summary>
public sealed class BarSeries(string name, double[] values)
{
    public string Name { get; } = name;
    public double[] Values { get; } = values;
    /// <summary>A CSS colour; when null the palette colour at the series' position.</summary>
    public string? Color { get; init; }
}
