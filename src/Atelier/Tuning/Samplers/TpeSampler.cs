namespace Atelier.Tuning;

/// <summary>
/// Tree-structured Parzen Estimator, after Optuna 3.1's TPESampler with its defaults: random for the first
/// <see cref="NStartupTrials"/> trials, then trials split into "below" (the best gamma(n) = min(ceil(0.1 n), 25)) and
/// "above", a Parzen estimator l(x) fitted to below and g(x) to above, <see cref="NEiCandidates"/> candidates drawn from
/// l and the one with the largest l(x)/g(x) taken.
/// Pruned trials take part as Optuna does: ranked after every complete trial, deeper (larger last step) first, then by
/// their last intermediate value; a pruned trial without any report, and (with <see cref="ConstantLiar"/>) a running
/// trial, ranks last: the "worst so far" that keeps parallel workers off each other's points.
/// Stateless: every call recomputes from the study's trials, and randomness is SamplerRandom.For(seed, trial, param).
/// </summary>
public sealed class TpeSampler : ISampler
{
    public TpeSampler(int? seed = null, bool multivariate = false, bool constantLiar = false, int nStartupTrials = 10, int nEiCandidates = 24,
        double priorWeight = 1.0, bool considerMagicClip = true, bool considerEndpoints = false)
    {
        if (nStartupTrials < 0) throw new ArgumentOutOfRangeException(nameof(nStartupTrials), nStartupTrials, "The number of startup trials is 0 or more.");
        if (nEiCandidates < 1) throw new ArgumentOutOfRangeException(nameof(nEiCandidates), nEiCandidates, "TPE needs at least one candidate.");
        if (!(priorWeight > 0)) throw new ArgumentOutOfRangeException(nameof(priorWeight), priorWeight, "The prior weight is above 0.");
        Seed = seed;
        Multivariate = multivariate;
        ConstantLiar = constantLiar;
        NStartupTrials = nStartupTrials;
        NEiCandidates = nEiCandidates;
        PriorWeight = priorWeight;
        ConsiderMagicClip = considerMagicClip;
        ConsiderEndpoints = considerEndpoints;
    }

    public int? Seed { get; }
    public bool Multivariate { get; }
    public bool ConstantLiar { get; }
    public int NStartupTrials { get; }
    public int NEiCandidates { get; }
    public double PriorWeight { get; }
    public bool ConsiderMagicClip { get; }
    public bool ConsiderEndpoints { get; }

    /// <summary>Optuna's default_gamma: the size of the "below" group of n trials.</summary>
    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's default_weights: the newest 25 weigh 1, older ones ramp linearly from 1/n.</summary>
    public static double[] DefaultWeights(int n)
    {
        if (n == 0) return [];
        if (n < 25) return Enumerable.Repeat(1.0, n).ToArray();
        int ramp = n - 25;
        var w = new double[n];
        for (int i = 0; i < ramp; i++) w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1); // numpy.linspace(1/n, 1, ramp)
        for (int i = ramp; i < n; i++) w[i] = 1;
        return w;
    }

    public IReadOnlyDictionary<string, Distribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial)
    {
        if (!Multivariate) return new Dictionary<string, Distribution>();
        // Optuna's IntersectionSearchSpace: the parameters every complete trial has, with the same distribution.
        Dictionary<string, Distribution>? space = null;
        foreach (var t in study.Trials.Where(t => t.State == TrialState.Complete))
        {
            if (space is null) { space = new Dictionary<string, Distribution>(t.Distributions); continue; }
            foreach (var name in space.Keys.ToList())
                if (!t.Distributions.TryGetValue(name, out var d) || d != space[name]) space.Remove(name);
        }
        return (space ?? []).Where(p => !p.Value.IsSingle).ToDictionary(p => p.Key, p => p.Value);
    }

    public IReadOnlyDictionary<string, double> SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space)
    {
        if (space.Count == 0) return new Dictionary<string, double>();
        // Optuna 3.1 counts complete trials for the multivariate start-up; until then the independent path samples at random.
        if (study.Trials.Count(t => t.State == TrialState.Complete) < NStartupTrials) return new Dictionary<string, double>();
        return SampleTpe(study, trial, space, "relative");
    }

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, Distribution distribution)
    {
        var observed = Observed(study, trial, [name]);
        if (observed.Count < NStartupTrials) return RandomSampler.Draw(SamplerRandom.For(Seed, trial.Number, name), distribution);
        return SampleTpe(study, trial, new Dictionary<string, Distribution> { [name] = distribution }, name)[name];
    }

    /// <summary>The trials that count for <paramref name="names"/>: finished (and, with the liar, running) ones that have them all, in trial order.</summary>
    private List<FrozenTrial> Observed(StudyView study, FrozenTrial trial, IEnumerable<string> names) =>
        study.Trials.Where(t => t.Number != trial.Number
                && (t.State is TrialState.Complete or TrialState.Pruned || (ConstantLiar && t.State == TrialState.Running))
                && names.All(n => t.Params.ContainsKey(n)))
            .OrderBy(t => t.Number).ToList();

    /// <summary>Optuna's score: lower is better; (-inf, value) for complete, (-step, value) for pruned, (+inf, 0) for the rest.</summary>
    private (double Step, double Loss) Score(FrozenTrial t, double sign) => t.State switch
    {
        TrialState.Complete when t.Value is { } v => (double.NegativeInfinity, sign * v),
        TrialState.Pruned when t.LastStep is { } step => (-step, sign * t.IntermediateValues[step]),
        _ => (double.PositiveInfinity, 0.0),
    };

    private Dictionary<string, double> SampleTpe(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space, string stream)
    {
        double sign = study.Direction == StudyDirection.Maximize ? -1 : 1;
        var observed = Observed(study, trial, space.Keys).Where(t => space.All(p => p.Value.Contains(t.Params[p.Key]))).ToList();
        int nBelow = DefaultGamma(observed.Count);
        // A stable sort by (step, loss), then each group back in trial order so the newest get the full weight.
        var ranked = Enumerable.Range(0, observed.Count).OrderBy(i => Score(observed[i], sign).Step).ThenBy(i => Score(observed[i], sign).Loss).ToList();
        var below = ranked.Take(nBelow).Order().Select(i => observed[i]).ToList();
        var above = ranked.Skip(nBelow).Order().Select(i => observed[i]).ToList();

        Dictionary<string, double[]> Values(List<FrozenTrial> ts) => space.Keys.ToDictionary(k => k, k => ts.Select(t => t.Params[k]).ToArray());
        var l = new ParzenEstimator(Values(below), space, Multivariate, PriorWeight, ConsiderMagicClip, ConsiderEndpoints);
        var g = new ParzenEstimator(Values(above), space, Multivariate, PriorWeight, ConsiderMagicClip, ConsiderEndpoints);
        var random = SamplerRandom.For(Seed, trial.Number, stream);
        var candidates = l.Sample(random, NEiCandidates);
        Dictionary<string, double>? best = null;
        double bestScore = double.NegativeInfinity;
        foreach (var c in candidates)
        {
            double s = l.LogPdf(c) - g.LogPdf(c);
            if (best is null || s > bestScore) { best = c; bestScore = s; }
        }
        return best!;
    }
}
