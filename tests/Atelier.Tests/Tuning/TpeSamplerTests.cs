using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning;

public class TpeSamplerTests
{
    internal static double Branin(double x1, double x2)
    {
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * Math.Cos(x1) + 10;
    }

    private static double BraninObjective(Trial t) => Branin(t.SuggestFloat("x1", -5, 10), t.SuggestFloat("x2", 0, 15));

    private static double Best(ISampler sampler, Func<Trial, double> objective, int trials, StudyDirection direction = StudyDirection.Minimize)
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("s", storage, direction, sampler);
        study.Optimize(objective, trials: trials);
        return study.BestTrial!.Value!.Value;
    }

    private static double Median(IEnumerable<double> xs)
    {
        var v = xs.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }

    [Fact]
    public void Default_gamma_and_weights_are_Optunas()
    {
        Assert.Equal([0, 1, 1, 2, 3, 25, 25], new[] { 0, 1, 10, 11, 30, 250, 1000 }.Select(TpeSampler.DefaultGamma));
        Assert.All(TpeSampler.DefaultWeights(24), w => Assert.Equal(1, w));
        var w = TpeSampler.DefaultWeights(30);
        Assert.Equal(1.0 / 30, w[0], 12);
        Assert.Equal(1.0, w[4], 12);
        Assert.All(w[5..], x => Assert.Equal(1, x));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_seed_reproduces_the_trials(bool multivariate)
    {
        List<string> Run()
        {
            using var storage = new InMemoryStudyStorage();
            var study = Study.CreateOrLoad("q", storage, sampler: new TpeSampler(seed: 3, multivariate: multivariate));
            study.Optimize(BraninObjective, trials: 25);
            return study.Trials.Select(t => $"{t.Param("x1")} {t.Param("x2")}").ToList();
        }
        Assert.Equal(Run(), Run());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Beats_random_search_on_Branin_in_40_trials(bool multivariate)
    {
        var seeds = Enumerable.Range(0, 10).ToList();
        double tpe = Median(seeds.Select(s => Best(new TpeSampler(seed: s, multivariate: multivariate), BraninObjective, 40)));
        double random = Median(seeds.Select(s => Best(new RandomSampler(s), BraninObjective, 40)));
        Assert.True(tpe < random, $"TPE median best {tpe} is not below random's {random}");
        Assert.True(tpe < 1.5, $"TPE median best {tpe} (optimum 0.398)");
    }

    [Fact]
    public void Maximizes_when_the_study_maximizes()
    {
        var seeds = Enumerable.Range(0, 5).ToList();
        double tpe = Median(seeds.Select(s => Best(new TpeSampler(seed: s), t => -BraninObjective(t), 40, StudyDirection.Maximize)));
        Assert.True(tpe > -1.5, $"TPE median best {tpe}");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Values_stay_inside_their_distributions_with_conditional_parameters(bool multivariate, bool liar)
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("mixed", storage, sampler: new TpeSampler(seed: 1, multivariate: multivariate, constantLiar: liar));
        study.Optimize(t =>
        {
            double lr = t.SuggestFloat("lr", 1e-5, 1e-1, log: true);
            double drop = t.SuggestFloat("dropout", 0, 0.5, step: 0.1);
            long width = t.SuggestInt("width", 16, 256, step: 16);
            long batch = t.SuggestInt("batch", 1, 1024, log: true);
            string opt = t.SuggestCategorical("opt", ["sgd", "adam", "rmsprop"]);
            double extra = opt == "sgd" ? t.SuggestFloat("momentum", 0.5, 0.99) : 0; // only some trials have it
            return Math.Pow(Math.Log10(lr) + 3, 2) + drop + Math.Abs(width - 128) / 64.0 + Math.Abs(Math.Log2(batch) - 5) + (opt == "adam" ? 0 : 1) + extra;
        }, trials: 40);
        var trials = study.Trials;
        Assert.Equal(40, trials.Count(t => t.State == TrialState.Complete));
        Assert.All(trials, t => Assert.All(t.Params, p => Assert.True(t.Distributions[p.Key].Contains(p.Value), $"{p.Key}={p.Value} outside {t.Distributions[p.Key].ToJson()}")));
        Assert.Contains(trials, t => t.Params.ContainsKey("momentum"));
        Assert.Contains(trials, t => !t.Params.ContainsKey("momentum"));
        // TPE should mostly settle on the best choice once it models.
        Assert.True(trials.Skip(20).Count(t => t.Param("opt") == "adam") >= 10, "TPE does not prefer the best categorical choice");
    }

    [Theory]
    // tests/fixtures/optuna_parzen_logpdf.py: Optuna 3.1's _ParzenEstimator.log_pdf on the same observations and points.
    [InlineData(false, new[] { -5.513676624721012, -5.707905128757286, -5.697237837686195, -5.984941667658961 })]
    [InlineData(true, new[] { -5.74599453955282, -5.771915134209737, -5.75629620988524, -6.0989035913490275 })]
    public void The_Parzen_estimator_has_Optunas_log_density(bool multivariate, double[] expected)
    {
        var space = new Dictionary<string, Distribution>
        {
            ["x"] = new FloatDistribution(0, 1),
            ["lr"] = new FloatDistribution(1e-4, 1, log: true),
            ["n"] = new IntDistribution(1, 20),
            ["c"] = new CategoricalDistribution(["a", "b", "c"]),
        };
        var obs = new Dictionary<string, double[]>
        {
            ["x"] = [0.1, 0.15, 0.7, 0.9, 0.33],
            ["lr"] = [1e-3, 0.2, 5e-4, 0.01, 0.9],
            ["n"] = [3, 7, 7, 20, 1],
            ["c"] = [0, 2, 1, 1, 0],
        };
        double[] x = [0.0, 0.12, 0.5, 0.99], lr = [1e-4, 1e-3, 0.05, 1.0], n = [1, 7, 12, 20], c = [0, 1, 2, 1];
        var pe = new ParzenEstimator(obs, space, multivariate);
        for (int i = 0; i < 4; i++)
            Assert.Equal(expected[i], pe.LogPdf(new Dictionary<string, double> { ["x"] = x[i], ["lr"] = lr[i], ["n"] = n[i], ["c"] = c[i] }), 5);
    }

    [Fact]
    public void With_a_constant_liar_two_workers_asking_in_turn_do_not_propose_the_same_point()
    {
        using var storage = new InMemoryStudyStorage();
        var one = Study.CreateOrLoad("par", storage, sampler: new TpeSampler(seed: 5, constantLiar: true));
        var two = Study.CreateOrLoad("par", storage, sampler: new TpeSampler(seed: 5, constantLiar: true));
        // A stepped space (84 points), so equal proposals are possible. The liar puts running trials among the worst
        // (in g), which makes their points unattractive; it lowers the chance of a repeat, it cannot exclude one.
        static double Suggest(Trial t) => t.SuggestFloat("x", 0, 2, step: 0.1) + t.SuggestInt("y", 0, 3);
        one.Optimize(t => Math.Abs(Suggest(t) - 1.5), trials: 12);
        var asked = new List<Trial>();
        for (int i = 0; i < 6; i++)
        {
            var t = (i % 2 == 0 ? one : two).Ask()!;
            Suggest(t);
            asked.Add(t);
        }
        var points = asked.Select(t => (t.Params["x"], t.Params["y"])).ToList();
        Assert.Equal(points.Count, points.Distinct().Count());
    }
}
