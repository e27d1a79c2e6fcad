namespace Atelier.Tuning;

/// <summary>
/// A trial as the storage holds it: what samplers, pruners, reports and `atelier trials` read. Parameters are in
/// their internal form (see <see cref="Distribution"/>); <see cref="Param"/> gives them as the user sees them.
/// </summary>
public sealed record FrozenTrial(
    long Id,
    int Number,
    TrialState State,
    double? Value,
    DateTime? Started,
    DateTime? Completed,
    IReadOnlyDictionary<string, double> Params,
    IReadOnlyDictionary<string, Distribution> Distributions,
    IReadOnlyDictionary<int, double> IntermediateValues,
    IReadOnlyDictionary<string, string> Attributes,
    string? Worker,
    DateTime? Heartbeat)
{
    /// <summary>The parameter as text ("0.001", "adam"); null when the trial has none of that name.</summary>
    public string? Param(string name) => Params.TryGetValue(name, out var v) ? Distributions[name].Format(v) : null;

    /// <summary>The parameter for reading: a continuous float to 4 significant digits (0.004576), the rest as <see cref="Param"/>.</summary>
    public string? ShortParam(string name) => Params.TryGetValue(name, out var v) && Distributions[name] is FloatDistribution { Step: null }
        ? v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)
        : Param(name);

    /// <summary>The last step reported, or null.</summary>
    public int? LastStep => IntermediateValues.Count == 0 ? null : IntermediateValues.Keys.Max();

    /// <summary>Seconds from start to end (or to now for a running trial); null before it started.</summary>
    public double? Seconds => Started is { } s ? ((Completed ?? DateTime.UtcNow) - s).TotalSeconds : null;
}
