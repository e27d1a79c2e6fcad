using System.Globalization;
using Atelier.Tuning;

namespace Atelier.Bench;

/// <summary>
/// Atelier's samplers against the same problems as bench/tuning/optuna_bench.py: Branin, Hartmann-6 and a mixed space
/// (log float, int, categorical), a number of trials and seeds, median best value and median trials to the target
/// (trials+1 when never reached), as CSV. Arguments: [--trials 50] [--seeds 20].
/// </summary>
internal static class TuneBenchmark
{
    private static readonly double[,] A6 = { { 10, 3, 17, 3.5, 1.7, 8 }, { 0.05, 10, 17, 0.1, 8, 14 }, { 3, 3.5, 1.7, 10, 17, 8 }, { 17, 8, 0.05, 10, 0.1, 14 } };
    private static readonly double[,] P6 = { { 1312, 1696, 5569, 124, 8283, 5886 }, { 2329, 4135, 8307, 3736, 1004, 9991 },
        { 2348, 1451, 3522, 2883, 3047, 6650 }, { 4047, 8828, 8732, 5743, 1091, 381 } };
    private static readonly double[] Alpha = [1.0, 1.2, 3.0, 3.2];

    private static double Branin(Trial t)
    {
        double x1 = t.SuggestFloat("x1", -5, 10), x2 = t.SuggestFloat("x2", 0, 15);
        double b = 5.1 / (4 * Math.PI * Math.PI), c = 5 / Math.PI, s = 1 / (8 * Math.PI);
        return Math.Pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - s) * Math.Cos(x1) + 10;
    }

    private static double Hartmann6(Trial t)
    {
        var x = Enumerable.Range(0, 6).Select(i => t.SuggestFloat($"x{i}", 0, 1)).ToArray();
        double sum = 0;
        for (int i = 0; i < 4; i++)
        {
            double e = 0;
            for (int j = 0; j < 6; j++) e += A6[i, j] * Math.Pow(x[j] - P6[i, j] * 1e-4, 2);
            sum += Alpha[i] * Math.Exp(-e);
        }
        return -sum;
    }

    private static double Mixed(Trial t)
    {
        double lr = t.SuggestFloat("lr", 1e-4, 1.0, log: true);
        long n = t.SuggestInt("n", 1, 20);
        string c = t.SuggestCategorical("c", ["a", "b", "c"]);
        return Math.Pow(Math.Log10(lr) + 2, 2) + Math.Pow((n - 7) / 5.0, 2) + c switch { "a" => 0.5, "b" => 0.0, _ => 1.0 };
    }

    public static int Run(string[] args)
    {
        int trials = 50, seeds = 20;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--trials") trials = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--seeds") seeds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }
        var functions = new (string Name, Func<Trial, double> F, double Target)[] { ("branin", Branin, 0.5), ("hartmann6", Hartmann6, -3.0), ("mixed", Mixed, 0.1) };
        var samplers = new (string Name, Func<int, ISampler> Make)[]
        {
            ("tpe", s => new TpeSampler(seed: s)),
            ("tpe-multivariate", s => new TpeSampler(seed: s, multivariate: true)),
            ("tpe-exact-density", s => new TpeSampler(seed: s, exactDensity: true)),
            ("random", s => new RandomSampler(s)),
        };
        Console.WriteLine("library,function,sampler,median_best,median_trials_to_target");
        foreach (var (fname, f, target) in functions)
            foreach (var (sname, make) in samplers)
            {
                var bests = new List<double>();
                var hits = new List<double>();
                for (int seed = 0; seed < seeds; seed++)
                {
                    using var storage = new InMemoryStudyStorage();
                    var study = Study.CreateOrLoad("bench", storage, sampler: make(seed));
                    study.Optimize(f, trials: trials);
                    var values = study.Trials.Select(t => t.Value!.Value).ToList();
                    bests.Add(values.Min());
                    double best = double.PositiveInfinity;
                    int hit = trials + 1;
                    for (int i = 0; i < values.Count; i++)
                    {
                        best = Math.Min(best, values[i]);
                        if (best <= target) { hit = i + 1; break; }
                    }
                    hits.Add(hit);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"atelier,{fname},{sname},{Median(bests):F4},{Median(hits):G}"));
            }
        return 0;
    }

    private static double Median(List<double> xs)
    {
        var v = xs.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : 0.5 * (v[v.Length / 2 - 1] + v[v.Length / 2]);
    }
}
