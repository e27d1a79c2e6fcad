namespace Atelier.Tuning.Importance;

/// <summary>
/// Parameter importances of a study, computed here (no Optuna): a random forest of regression trees is fitted to the
/// complete trials' values, on the parameters in internal form (log10 of the value for log distributions; a
/// categorical is split one category against the rest). Each parameter's importance is its permutation importance on
/// the forest's out-of-bag predictions: how much the out-of-bag mean squared error grows when that parameter's column
/// is shuffled among a tree's out-of-bag trials, averaged over the trees, clipped at 0 and normalised to sum 1. This
/// is not fANOVA's variance decomposition, but it ranks parameters the same way for additive objectives and a
/// parameter the objective ignores gets about 0. Deterministic for a given seed.
/// </summary>
public static class ParameterImportance
{
    /// <summary>
    /// The importance of every parameter that all complete trials with a finite value have and that takes more than
    /// one value, largest first; empty when fewer than 2 such trials exist or no such parameter does. When the
    /// forest finds nothing (e.g. all values equal) the shares are equal.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Compute(IReadOnlyList<FrozenTrial> trials, int seed = 0, int trees = 64)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)).ToList();
        if (complete.Count < 2) return [];
        var names = complete[0].Params.Keys
            .Where(n => complete.All(t => t.Params.ContainsKey(n)))
            .Where(n => complete.Select(t => t.Params[n]).Distinct().Count() > 1)
            .Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) return [];
        int rows = complete.Count, cols = names.Count;
        var x = new double[rows][];
        var categorical = new bool[cols];
        for (int j = 0; j < cols; j++) categorical[j] = complete[0].Distributions[names[j]] is CategoricalDistribution;
        for (int i = 0; i < rows; i++)
        {
            x[i] = new double[cols];
            for (int j = 0; j < cols; j++) x[i][j] = Feature(complete[i].Distributions[names[j]], complete[i].Params[names[j]]);
        }
        var y = complete.Select(t => t.Value!.Value).ToArray();

        var random = new Random(seed);
        var sum = new double[cols];
        for (int k = 0; k < trees; k++)
        {
            var inBag = new int[rows];
            var sample = new int[rows];
            for (int i = 0; i < rows; i++) { sample[i] = random.Next(rows); inBag[sample[i]]++; }
            var oob = Enumerable.Range(0, rows).Where(i => inBag[i] == 0).ToArray();
            if (oob.Length < 2) continue;
            var tree = Node.Grow(x, y, sample, categorical, depth: 0, random);
            double baseError = Error(tree, x, y, oob, -1, null);
            for (int j = 0; j < cols; j++)
            {
                var shuffled = oob.Select(i => x[i][j]).ToArray();
                random.Shuffle(shuffled);
                sum[j] += Error(tree, x, y, oob, j, shuffled) - baseError;
            }
        }
        var share = sum.Select(s => Math.Max(0, s)).ToArray();
        double total = share.Sum();
        for (int j = 0; j < cols; j++) share[j] = total > 0 && double.IsFinite(total) ? share[j] / total : 1.0 / cols;
        return names.Select((n, j) => new KeyValuePair<string, double>(n, share[j])).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>The value a tree splits on: log10 for log distributions, the internal value otherwise.</summary>
    public static double Feature(Distribution d, double internalValue) => d switch
    {
        FloatDistribution { Log: true } when internalValue > 0 => Math.Log10(internalValue),
        IntDistribution { Log: true } when internalValue > 0 => Math.Log10(internalValue),
        _ => internalValue,
    };

    private static double Error(Node tree, double[][] x, double[] y, int[] rows, int column, double[]? replaced)
    {
        double e = 0;
        var row = new double[x[0].Length];
        for (int k = 0; k < rows.Length; k++)
        {
            x[rows[k]].CopyTo(row, 0);
            if (replaced is not null) row[column] = replaced[k];
            double d = tree.Predict(row) - y[rows[k]];
            e += d * d;
        }
        return e / rows.Length;
    }

    private sealed class Node
    {
        private const int MaxDepth = 10, MinLeaf = 2;
        private int feature = -1;
        private double threshold;
        private bool equals;
        private Node? low, high;
        private double value;

        public double Predict(double[] row)
        {
            var n = this;
            while (n.feature >= 0)
            {
                double v = row[n.feature];
                bool goLow = n.equals ? v == n.threshold : v <= n.threshold;
                n = goLow ? n.low! : n.high!;
            }
            return n.value;
        }

        public static Node Grow(double[][] x, double[] y, int[] rows, bool[] categorical, int depth, Random random)
        {
            var node = new Node { value = rows.Average(i => y[i]) };
            if (depth >= MaxDepth || rows.Length < 2 * MinLeaf) return node;
            double bestGain = 1e-12, parent = Sse(y, rows);
            if (parent <= 0) return node;
            int cols = x[0].Length;
            // A random half of the columns (at least one) at each split, as random forests do.
            var candidates = Enumerable.Range(0, cols).Where(_ => random.NextDouble() < 0.5).ToList();
            if (candidates.Count == 0) candidates.Add(random.Next(cols));
            double total = 0, totalSq = 0;
            foreach (int i in rows) { total += y[i]; totalSq += y[i] * y[i]; }
            foreach (int j in candidates)
            {
                if (categorical[j])
                {
                    // One category against the rest: sums per category.
                    foreach (var g in rows.GroupBy(i => x[i][j]))
                    {
                        int na = g.Count(), nb = rows.Length - na;
                        if (na < MinLeaf || nb < MinLeaf) continue;
                        double sa = g.Sum(i => y[i]), qa = g.Sum(i => y[i] * y[i]);
                        double gain = parent - (qa - sa * sa / na) - (totalSq - qa - (total - sa) * (total - sa) / nb);
                        if (gain > bestGain) (bestGain, node.feature, node.threshold, node.equals) = (gain, j, g.Key, true);
                    }
                    continue;
                }
                // Sorted once, then every boundary between distinct values from prefix sums: O(n log n).
                var sorted = rows.OrderBy(i => x[i][j]).ToArray();
                double s = 0, q = 0;
                for (int k = 0; k < sorted.Length - 1; k++)
                {
                    s += y[sorted[k]]; q += y[sorted[k]] * y[sorted[k]];
                    double here = x[sorted[k]][j], next = x[sorted[k + 1]][j];
                    if (here == next) continue;
                    int na = k + 1, nb = sorted.Length - na;
                    if (na < MinLeaf || nb < MinLeaf) continue;
                    double gain = parent - (q - s * s / na) - (totalSq - q - (total - s) * (total - s) / nb);
                    if (gain > bestGain) (bestGain, node.feature, node.threshold, node.equals) = (gain, j, (here + next) / 2, false);
                }
            }
            if (node.feature < 0) return node;
            int f = node.feature;
            double th = node.threshold;
            bool eq = node.equals;
            node.low = Grow(x, y, rows.Where(i => eq ? x[i][f] == th : x[i][f] <= th).ToArray(), categorical, depth + 1, random);
            node.high = Grow(x, y, rows.Where(i => !(eq ? x[i][f] == th : x[i][f] <= th)).ToArray(), categorical, depth + 1, random);
            return node;
        }

        private static double Sse(double[] y, int[] rows)
        {
            double mean = 0;
            foreach (int i in rows) mean += y[i];
            mean /= rows.Length;
            double s = 0;
            foreach (int i in rows) s += (y[i] - mean) * (y[i] - mean);
            return s;
        }
    }
}
