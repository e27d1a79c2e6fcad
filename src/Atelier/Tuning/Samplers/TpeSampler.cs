namespace Atelier.Tuning;

/// <summary>
/// Tree-structured Parzen Estimator, after Optuna 3.1's TPESampler with its defaults: random for the first
/// <see cref="NStartupTrials"/> trials, then trials split into "below" (the best gamma(n) = min(ceil(0.1 n), 25)) and
/// "above", a Parzen estimator l(x) fitted to below and g(x) to above, <see cref="NEiCandidates"/> candidates drawn from
/// l and the one with the largest l(x)/g(x) taken.
/// Pruned trials take part as Optuna does: ranked after every complete trial, deeper (larger last step) first, then by
/// their last intermediate value; then pruned trials without any report; and (with <see cref="ConstantLiar"/>) running
/// trials last: the "worst so far" that keeps parallel workers off each other's points. Start-up and gamma count all
/// finished trials, with or without the parameter (Optuna 3.1), and never running ones.
/// Stateless: every call recomputes from the study's trials, and randomness is SamplerRandom.For(seed, trial, param).
/// </summary>
public sealed class TpeSampler : ISampler
{
    public TpeSampler(int? seed = null, bool multivariate = false, bool constantLiar = false, int nStartupTrials = 10, int nEiCandidates = 24,
        double priorWeight = 1.0, bool considerMagicClip = true, bool considerEndpoints = false, bool exactDensity = false)
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
        ExactDensity = exactDensity;
    }

    public int? Seed { get; }
    public bool Multivariate { get; }
    public bool ConstantLiar { get; }
    public int NStartupTrials { get; }
    public int NEiCandidates { get; }
    public double PriorWeight { get; }
    public bool ConsiderMagicClip { get; }
    public bool ConsiderEndpoints { get; }

    /// <summary>
    /// False (the default) scores continuous dimensions as Optuna 3.1.0 does, whose truncated-normal log density lacks the
    /// -log(sigma) term; true uses the true density. On bench/tuning the 3.1 form did better on Hartmann-6 (see bench/README.md).
    /// </summary>
    public bool ExactDensity { get; }

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
        // Until start-up ends, return nothing: the independent path then samples at random.
        if (Finished(study, trial) < NStartupTrials) return new Dictionary<string, double>();
        return SampleTpe(study, trial, space, "relative");
    }

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, Distribution distribution)
    {
        if (Finished(study, trial) < NStartupTrials) return RandomSampler.Draw(SamplerRandom.For(Seed, trial.Number, name), distribution);
        return SampleTpe(study, trial, new Dictionary<string, Distribution> { [name] = distribution }, name)[name];
    }

    /// <summary>
    /// The trials that count, as Optuna 3.1's _get_observation_pairs: every complete and pruned trial (and, with the liar,
    /// every running one other than this), whether or not it has the parameters, in trial order. The split into below and
    /// above ranks them all; those without the parameters are dropped afterwards.
    /// </summary>
    private List<FrozenTrial> Observed(StudyView study, FrozenTrial trial) =>
        study.Trials.Where(t => t.Number != trial.Number
                && ((t.State == TrialState.Complete && t.Value is not null) || t.State == TrialState.Pruned || (ConstantLiar && t.State == TrialState.Running)))
            .OrderBy(t => t.Number).ToList();

    /// <summary>How many observations are not running: what start-up and gamma count (Optuna ignores running trials there).</summary>
    private int Finished(StudyView study, FrozenTrial trial) => Observed(study, trial).Count(t => t.State != TrialState.Running);

    /// <summary>Optuna's score, lower is better: (-inf, value) complete, (-step, value) pruned, (1, 0) pruned without reports, (+inf, +inf) running.</summary>
    private static (double Step, double Loss) Score(FrozenTrial t, double sign) => t.State switch
    {
        TrialState.Complete => (double.NegativeInfinity, sign * t.Value!.Value),
        TrialState.Pruned when t.LastStep is { } step => (-step, double.IsNaN(t.IntermediateValues[step]) ? double.PositiveInfinity : sign * t.IntermediateValues[step]),
        TrialState.Pruned => (1, 0.0),
        _ => (double.PositiveInfinity, double.PositiveInfinity),
    };

    private Dictionary<string, double> SampleTpe(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space, string stream)
    {
        double sign = study.Direction == StudyDirection.Maximize ? -1 : 1;
        var observed = Observed(study, trial);
        int nBelow = DefaultGamma(observed.Count(t => t.State != TrialState.Running));
        // A stable sort by (step, loss), then each group back in trial order so the newest get the full weight.
        var ranked = Enumerable.Range(0, observed.Count).OrderBy(i => Score(observed[i], sign).Step).ThenBy(i => Score(observed[i], sign).Loss).ToList();
        bool Has(FrozenTrial t) => space.All(p => t.Params.TryGetValue(p.Key, out var v) && p.Value.Contains(v));
        var below = ranked.Take(nBelow).Order().Select(i => observed[i]).Where(Has).ToList();
        var above = ranked.Skip(nBelow).Order().Select(i => observed[i]).Where(Has).ToList();

        Dictionary<string, double[]> Values(List<FrozenTrial> ts) => space.Keys.ToDictionary(k => k, k => ts.Select(t => t.Params[k]).ToArray());
        var l = new ParzenEstimator(Values(below), space, Multivariate, PriorWeight, ConsiderMagicClip, ConsiderEndpoints, ExactDensity);
        var g = new ParzenEstimator(Values(above), space, Multivariate, PriorWeight, ConsiderMagicClip, ConsiderEndpoints, ExactDensity);
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
