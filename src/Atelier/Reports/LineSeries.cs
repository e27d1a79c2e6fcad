namespace Atelier.Reports;

/// <summary>One named curve: points (X[i], Y[i]); non-finite points are skipped and leave a gap.</summary>
public sealed class LineSeries(string name, double[] x, double[] y)
{
    public string Name { get; } = name;
    public double[] X { get; } = x.Length == y.Length ? x : throw new ArgumentException($"Series \"{name}\" has {x.Length} x values but {y.Length} y values.");
    public double[] Y { get; } = y;

    /// <summary>A CSS colour; when null the palette colour <see cref="ColorIndex"/> (or the series' position) is used.</summary>
    public string? Color { get; init; }

    /// <summary>Palette slot: give train and validation curves of one run the same index, and dash one of them.</summary>
    public int? ColorIndex { get; init; }

    public bool Dashed { get; init; }
    public bool Markers { get; init; }

    /// <summary>y against 1, 2, 3, … (e.g. a metric per epoch).</summary>
    public static LineSeries PerEpoch(string name, double[] y)
    {
        var x = new double[y.Length];
        for (int i = 0; i < x.Length; i++) x[i] = i + 1;
        return new LineSeries(name, x, y);
    }
}
