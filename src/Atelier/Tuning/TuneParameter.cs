namespace Atelier.Tuning;

/// <summary>
/// One entry of a tuning file's `space`: a training option, where its values come from, and the condition under which
/// it is sampled at all (`when: { optimizer: sgd }`: only in trials whose optimizer is sgd).
/// </summary>
public sealed record TuneParameter(string Name, Distribution Distribution, IReadOnlyList<KeyValuePair<string, string>> When, long Line)
{
    /// <summary>Whether the condition holds for the options chosen so far (base and parameters sampled before this one).</summary>
    public bool Applies(IReadOnlyDictionary<string, string> chosen) =>
        When.All(c => chosen.TryGetValue(c.Key, out var v) && string.Equals(v, c.Value, StringComparison.OrdinalIgnoreCase));

    /// <summary>Condition as text: "optimizer=sgd".</summary>
    public string DescribeWhen() => string.Join(", ", When.Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>The `objective` of a tuning file: which number of a trial's run to optimise, and in which direction.</summary>
public sealed record TuneObjective(string Metric, StudyDirection Direction)
{
    /// <summary>
    /// val-accuracy / val-loss: the best epoch's validation value (the checkpoint a run keeps); test-accuracy / test-loss:
    /// the kept checkpoint on the test set. Each epoch's validation value is what the pruner sees.
    /// </summary>
    public static readonly string[] Metrics = ["val-accuracy", "val-loss", "test-accuracy", "test-loss"];

    public bool IsLoss => Metric.EndsWith("-loss", StringComparison.Ordinal);
}

/// <summary>A sampler's or pruner's section: its name and its settings as written (`{ name: tpe, seed: 42 }`).</summary>
public sealed record TuneComponent(string Name, IReadOnlyDictionary<string, string> Settings, long Line);
