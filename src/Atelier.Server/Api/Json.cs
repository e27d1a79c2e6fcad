namespace Atelier.Server.Api;

/// <summary>JSON has no NaN or infinity: a metric that is not a number is sent as null.</summary>
public static class Json
{
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    public static double? Finite(double? value) => value is { } v ? Finite(v) : null;

    public static Dictionary<string, double?> Finite(IReadOnlyDictionary<string, double> values) =>
        values.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => Finite(p.Value));
}
