using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atelier.Tuning;

/// <summary>
/// Where a parameter's values come from, after Optuna's distributions. Storage and samplers see every value in
/// its internal form, a double: the number itself for floats and ints, the choice's index for categoricals.
/// </summary>
public abstract record Distribution
{
    /// <summary>Whether <paramref name="internalValue"/> is a value this distribution can give.</summary>
    public abstract bool Contains(double internalValue);

    /// <summary>The value as a user sees it: "0.001", "64", "adam".</summary>
    public abstract string Format(double internalValue);

    /// <summary>Whether the distribution has exactly one value (Optuna samples none for those).</summary>
    public abstract bool IsSingle { get; }

    /// <summary>One line of JSON, kept with each parameter in the storage.</summary>
    public string ToJson() => ToNode().ToJsonString();

    internal abstract JsonObject ToNode();

    /// <summary>Reads what <see cref="ToJson"/> wrote; InvalidDataException for anything else.</summary>
    public static Distribution FromJson(string json)
    {
        try
        {
            var node = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("a distribution is a JSON object");
            return (string?)node["type"] switch
            {
                "float" => new FloatDistribution((double)node["low"]!, (double)node["high"]!, (bool)node["log"]!, (double?)node["step"]),
                "int" => new IntDistribution((long)node["low"]!, (long)node["high"]!, (bool)node["log"]!, (long)node["step"]!),
                "categorical" => new CategoricalDistribution(node["choices"]!.AsArray().Select(c => (string)c!).ToArray()),
                var t => throw new InvalidDataException($"unknown distribution type '{t}'"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or ArgumentException)
        {
            throw new InvalidDataException($"A stored distribution cannot be read ({e.Message}): {json}", e);
        }
    }

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Floats in [low, high]; on a log scale (low &gt; 0), or on a grid of <see cref="Step"/> from low.</summary>
public sealed record FloatDistribution : Distribution
{
    public FloatDistribution(double low, double high, bool log = false, double? step = null)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) throw new ArgumentException($"A float range needs finite bounds, got [{Number(low)}, {Number(high)}].");
        if (low > high) throw new ArgumentException($"A float range's low ({Number(low)}) is above its high ({Number(high)}).");
        if (log && low <= 0) throw new ArgumentException($"A log-scale range needs low > 0, got {Number(low)}.");
        if (log && step is not null) throw new ArgumentException("A float range is either on a log scale or stepped, not both.");
        if (step is { } s && !(s > 0 && double.IsFinite(s))) throw new ArgumentException($"A float range's step must be above 0, got {Number(s)}.");
        Low = low;
        // Optuna: a stepped range ends at the last step that fits.
        High = step is { } st ? low + Math.Floor((high - low) / st + 1e-9) * st : high;
        Log = log;
        Step = step;
    }

    public double Low { get; }
    public double High { get; }
    public bool Log { get; }
    public double? Step { get; }

    public override bool IsSingle => Low == High;

    public override bool Contains(double v) => v >= Low && v <= High
        && (Step is not { } s || Math.Abs((v - Low) / s - Math.Round((v - Low) / s)) < 1e-6);

    // A stepped value is low + k·step, which binary floats make 0.35000000000000003: 12 digits give the step's own value.
    public override string Format(double v) => Step is null ? Number(v) : v.ToString("G12", CultureInfo.InvariantCulture);

    internal override JsonObject ToNode() => new() { ["type"] = "float", ["low"] = Low, ["high"] = High, ["log"] = Log, ["step"] = Step };
}

/// <summary>Integers in [low, high] with a step from low, or on a log scale (low ≥ 1, step 1).</summary>
public sealed record IntDistribution : Distribution
{
    public IntDistribution(long low, long high, bool log = false, long step = 1)
    {
        if (low > high) throw new ArgumentException($"An int range's low ({low}) is above its high ({high}).");
        if (step < 1) throw new ArgumentException($"An int range's step must be at least 1, got {step}.");
        if (log && low < 1) throw new ArgumentException($"A log-scale int range needs low >= 1, got {low}.");
        if (log && step != 1) throw new ArgumentException("A log-scale int range has step 1.");
        Low = low;
        High = low + (high - low) / step * step;
        Log = log;
        Step = step;
    }

    public long Low { get; }
    public long High { get; }
    public bool Log { get; }
    public long Step { get; }

    public override bool IsSingle => Low == High;

    public override bool Contains(double v) => v >= Low && v <= High && v == Math.Round(v) && ((long)v - Low) % Step == 0;

    public override string Format(double v) => ((long)Math.Round(v)).ToString(CultureInfo.InvariantCulture);

    internal override JsonObject ToNode() => new() { ["type"] = "int", ["low"] = Low, ["high"] = High, ["log"] = Log, ["step"] = Step };
}

/// <summary>One of a list of choices, named as text; its internal value is the index.</summary>
public sealed record CategoricalDistribution : Distribution
{
    private readonly string[] choices;

    public CategoricalDistribution(IReadOnlyList<string> choices)
    {
        if (choices.Count == 0) throw new ArgumentException("A categorical parameter needs at least one choice.");
        if (choices.Distinct().Count() != choices.Count) throw new ArgumentException($"A categorical parameter lists a choice twice: [{string.Join(", ", choices)}].");
        this.choices = [.. choices];
    }

    public IReadOnlyList<string> Choices => choices;

    public override bool IsSingle => choices.Length == 1;

    public override bool Contains(double v) => v >= 0 && v < choices.Length && v == Math.Round(v);

    public override string Format(double v) => choices[(int)v];

    /// <summary>The index of <paramref name="choice"/>, or -1.</summary>
    public int IndexOf(string choice) => Array.IndexOf(choices, choice);

    // Records compare arrays by reference; two categoricals with the same choices are the same distribution.
    public bool Equals(CategoricalDistribution? other) => other is not null && choices.AsSpan().SequenceEqual(other.choices);

    public override int GetHashCode() => choices.Aggregate(17, (h, c) => h * 31 + c.GetHashCode());

    internal override JsonObject ToNode() => new() { ["type"] = "categorical", ["choices"] = new JsonArray(choices.Select(c => (JsonNode?)c).ToArray()) };
}
