using System.Globalization;

namespace Atelier.Tuning;

/// <summary>
/// Every combination of a grid of values, after Optuna's GridSampler. Points are numbered lexicographically over the
/// parameter names (sorted ordinally) and the values in the order given. A trial takes the first point that no other
/// trial (running, complete, pruned or waiting) already holds, so serial trial k gets point k and parallel workers do
/// not repeat each other; once every point is held, trial k takes point k mod count (Optuna draws one at random then).
/// Everything is read from the study snapshot the trial was created with, so a trial's parameters all come from one point.
/// </summary>
public sealed class GridSampler : ISampler
{
    private readonly string[] names;
    private readonly double[][] values;

    /// <summary>A grid of internal values (indices for categoricals).</summary>
    public GridSampler(IReadOnlyDictionary<string, IReadOnlyList<double>> grid)
    {
        if (grid.Count == 0) throw new ArgumentException("A grid needs at least one parameter.");
        names = [.. grid.Keys.Order(StringComparer.Ordinal)];
        values = names.Select(n => grid[n].Count > 0 ? grid[n].ToArray() : throw new ArgumentException($"Parameter '{n}' has no values in the grid.")).ToArray();
    }

    /// <summary>The grid of every value of each distribution: all ints on the step, all choices, every step of a stepped float.</summary>
    public GridSampler(IReadOnlyDictionary<string, Distribution> distributions) : this(Enumerate(distributions)) { }

    public IReadOnlyList<string> Names => names;

    /// <summary>How many points the grid has.</summary>
    public long Count => values.Aggregate(1L, (n, v) => n * v.Length);

    public static long CountPoints(IReadOnlyDictionary<string, IReadOnlyList<double>> grid) => grid.Values.Aggregate(1L, (n, v) => n * v.Count);

    public static long CountPoints(IReadOnlyDictionary<string, Distribution> distributions) => CountPoints(Enumerate(distributions));

    public static IReadOnlyDictionary<string, IReadOnlyList<double>> Enumerate(IReadOnlyDictionary<string, Distribution> distributions) =>
        distributions.ToDictionary(p => p.Key, p => Values(p.Key, p.Value));

    private static IReadOnlyList<double> Values(string name, Distribution d) => d switch
    {
        IntDistribution i => Enumerable.Range(0, checked((int)((i.High - i.Low) / i.Step + 1))).Select(k => (double)(i.Low + k * i.Step)).ToArray(),
        CategoricalDistribution c => Enumerable.Range(0, c.Choices.Count).Select(k => (double)k).ToArray(),
        FloatDistribution { Step: { } s } f => Enumerable.Range(0, checked((int)Math.Round((f.High - f.Low) / s) + 1)).Select(k => Math.Min(f.High, f.Low + k * s)).ToArray(),
        FloatDistribution f when f.Low == f.High => [f.Low],
        FloatDistribution f => throw new ArgumentException(
            $"Parameter '{name}' is a continuous float range [{f.Format(f.Low)}, {f.Format(f.High)}] without a step, which has no finite grid: give it a step or list its values."),
        _ => throw new ArgumentException($"Parameter '{name}' has a distribution the grid cannot enumerate."),
    };

    public IReadOnlyDictionary<string, Distribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial) => new Dictionary<string, Distribution>();

    public IReadOnlyDictionary<string, double> SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space) => new Dictionary<string, double>();

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, Distribution distribution)
    {
        int dim = Array.IndexOf(names, name);
        if (dim < 0) throw new ArgumentException($"Parameter '{name}' is not in the grid (which has {string.Join(", ", names)}).");
        var point = Point(Choose(study, trial));
        double v = values[dim][point[dim]];
        if (!distribution.Contains(v))
            throw new ArgumentException($"The grid's value {v.ToString("R", CultureInfo.InvariantCulture)} for '{name}' is not in its distribution {distribution.ToJson()}.");
        return v;
    }

    /// <summary>The number of the point <paramref name="trial"/> takes.</summary>
    public long Choose(StudyView study, FrozenTrial trial)
    {
        var held = new HashSet<long>();
        foreach (var t in study.Trials)
            if (t.Number != trial.Number && t.State != TrialState.Fail && Index(t.Params) is { } k) held.Add(k);
        for (long k = 0; k < Count; k++)
            if (!held.Contains(k)) return k;
        return trial.Number % Count;
    }

    /// <summary>The grid point's number for parameters that lie on the grid; null when any is missing or off it.</summary>
    public long? Index(IReadOnlyDictionary<string, double> parameters)
    {
        long k = 0;
        for (int d = 0; d < names.Length; d++)
        {
            if (!parameters.TryGetValue(names[d], out var v)) return null;
            int j = Array.FindIndex(values[d], x => Math.Abs(x - v) <= 1e-12 * Math.Max(1, Math.Abs(x)));
            if (j < 0) return null;
            k = k * values[d].Length + j;
        }
        return k;
    }

    private int[] Point(long k)
    {
        var p = new int[names.Length];
        for (int d = names.Length - 1; d >= 0; d--)
        {
            p[d] = (int)(k % values[d].Length);
            k /= values[d].Length;
        }
        return p;
    }
}
