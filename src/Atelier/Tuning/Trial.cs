namespace Atelier.Tuning;

/// <summary>
/// A running trial, as an objective sees it (Optuna's Trial): it suggests parameters, reports intermediate values
/// and asks whether to stop. Every call goes to the storage at once, so other workers and readers see it live.
/// </summary>
public sealed class Trial
{
    private readonly Study study;
    private readonly StudyView view;
    private readonly Dictionary<string, double> parameters;
    private readonly Dictionary<string, Distribution> distributions;
    private readonly Dictionary<int, double> intermediate = [];
    private readonly IReadOnlyDictionary<string, Distribution> relativeSpace;
    private readonly IReadOnlyDictionary<string, double> relativeParams;

    internal Trial(Study study, FrozenTrial claimed, StudyView view)
    {
        this.study = study;
        this.view = view;
        Id = claimed.Id;
        Number = claimed.Number;
        // A waiting trial (enqueued, or a retry) comes with fixed parameters: they are its suggestions.
        parameters = new Dictionary<string, double>(claimed.Params);
        distributions = new Dictionary<string, Distribution>(claimed.Distributions);
        Attributes = claimed.Attributes;
        var frozen = Freeze();
        var space = study.Sampler.InferRelativeSearchSpace(view, frozen)
            .Where(p => !parameters.ContainsKey(p.Key) && !p.Value.IsSingle).ToDictionary(p => p.Key, p => p.Value);
        relativeSpace = space;
        relativeParams = space.Count == 0 ? new Dictionary<string, double>() : study.Sampler.SampleRelative(view, frozen, space);
    }

    public long Id { get; }

    /// <summary>The trial's number in its study, from 0.</summary>
    public int Number { get; }

    /// <summary>The attributes it was claimed with (a retry has "retry_of").</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The parameters suggested so far, internal form.</summary>
    public IReadOnlyDictionary<string, double> Params => parameters;

    public IReadOnlyDictionary<string, Distribution> Distributions => distributions;

    public IReadOnlyDictionary<int, double> IntermediateValues => intermediate;

    public double SuggestFloat(string name, double low, double high, bool log = false, double? step = null) =>
        Suggest(name, new FloatDistribution(low, high, log, step));

    public long SuggestInt(string name, long low, long high, bool log = false, long step = 1) =>
        (long)Suggest(name, new IntDistribution(low, high, log, step));

    public string SuggestCategorical(string name, IReadOnlyList<string> choices)
    {
        var distribution = new CategoricalDistribution(choices);
        return distribution.Choices[(int)Suggest(name, distribution)];
    }

    /// <summary>
    /// The value of <paramref name="name"/> in <paramref name="distribution"/>, internal form: the fixed value when the
    /// trial has one in that distribution, the relative sample when the sampler drew one, else an independent sample.
    /// Asking again for the same name gives the same value.
    /// </summary>
    public double Suggest(string name, Distribution distribution)
    {
        if (parameters.TryGetValue(name, out var known))
        {
            if (distributions[name] == distribution || distribution.Contains(known)) return Remember(name, known, distribution);
            throw new ArgumentException($"Parameter '{name}' was suggested as {distributions[name].ToJson()} and now as {distribution.ToJson()}.");
        }
        double value = distribution.IsSingle ? Single(distribution)
            : relativeParams.TryGetValue(name, out var relative) && relativeSpace[name] == distribution ? relative
            : study.Sampler.SampleIndependent(view, Freeze(), name, distribution);
        return Remember(name, value, distribution);
    }

    private double Remember(string name, double value, Distribution distribution)
    {
        if (!parameters.ContainsKey(name) || distributions[name] != distribution)
        {
            study.Storage.SetParam(Id, name, value, distribution);
            parameters[name] = value;
            distributions[name] = distribution;
        }
        return value;
    }

    private static double Single(Distribution d) => d switch
    {
        FloatDistribution f => f.Low,
        IntDistribution i => i.Low,
        _ => 0,
    };

    /// <summary>Records the objective's value after <paramref name="step"/> (an epoch): what the pruner judges.</summary>
    public void Report(double value, int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "A step is 0 or more.");
        if (intermediate.ContainsKey(step)) return; // Optuna keeps the first value of a step.
        intermediate[step] = value;
        study.Storage.SetIntermediateValue(Id, step, value);
    }

    /// <summary>Whether the study's pruner says to stop now; the objective then throws <see cref="TrialPrunedException"/>.</summary>
    public bool ShouldPrune() => intermediate.Count > 0 && study.Pruner.Prune(study.View(), Freeze());

    public void SetAttribute(string key, string value) => study.Storage.SetAttribute(Id, key, value);

    /// <summary>The trial as samplers and pruners see it, now.</summary>
    public FrozenTrial Freeze() => new(Id, Number, TrialState.Running, null, null, null,
        new Dictionary<string, double>(parameters), new Dictionary<string, Distribution>(distributions),
        new SortedDictionary<int, double>(intermediate), Attributes, study.Worker, null);
}
