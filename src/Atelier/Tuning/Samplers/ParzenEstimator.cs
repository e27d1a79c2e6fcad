namespace Atelier.Tuning;

/// <summary>
/// Optuna 3.1's Parzen estimator: one kernel per observation plus a prior kernel. Numbers are truncated normals over the
/// range (in log space for log ranges; padded by step/2 and integrated over the step for stepped and int ranges);
/// categoricals are smoothed one-hot rows with the prior spread over all choices. Univariate: bandwidth from the
/// neighbours' distances; multivariate: Scott's rule 0.2 n^(-1/(d+4)) times the range, shared by all kernels.
/// </summary>
internal sealed class ParzenEstimator
{
    private readonly IReadOnlyDictionary<string, Distribution> space;
    private readonly double[] weights;
    private readonly bool exactDensity;
    private readonly Dictionary<string, (double Low, double High, double? Q, double[] Mus, double[] Sigmas)> numeric = [];
    private readonly Dictionary<string, double[][]> categorical = [];

    public ParzenEstimator(IReadOnlyDictionary<string, double[]> observations, IReadOnlyDictionary<string, Distribution> space,
        bool multivariate, double priorWeight = 1.0, bool considerMagicClip = true, bool considerEndpoints = false, bool exactDensity = false)
    {
        this.space = space;
        this.exactDensity = exactDensity;
        int n = observations.Count == 0 ? 0 : observations.First().Value.Length;
        var w = TpeSampler.DefaultWeights(n);
        weights = new double[n + 1];
        Array.Copy(w, weights, n);
        weights[n] = priorWeight;
        double sum = weights.Sum();
        for (int i = 0; i <= n; i++) weights[i] /= sum;
        double? sigma0 = multivariate ? 0.2 * Math.Pow(Math.Max(n, 1), -1.0 / (space.Count + 4)) : null;

        foreach (var (name, dist) in space)
        {
            var obs = observations[name];
            if (dist is CategoricalDistribution c)
            {
                int k = c.Choices.Count;
                var rows = new double[n + 1][];
                double fill = priorWeight / (n + 1);
                for (int i = 0; i <= n; i++)
                {
                    rows[i] = Enumerable.Repeat(fill, k).ToArray();
                    if (i < n) rows[i][(int)obs[i]] += 1;
                    double s = rows[i].Sum();
                    for (int j = 0; j < k; j++) rows[i][j] /= s;
                }
                categorical[name] = rows;
                continue;
            }
            var (low, high, q) = Bounds(dist);
            var mus = new double[n + 1];
            for (int i = 0; i < n; i++) mus[i] = Transform(dist, obs[i]);
            mus[n] = 0.5 * (low + high);
            var sigmas = new double[n + 1];
            if (sigma0 is { } s0)
            {
                Array.Fill(sigmas, s0 * (high - low));
            }
            else
            {
                // Each kernel as wide as the larger gap to its neighbours (the range ends count as neighbours).
                var order = Enumerable.Range(0, n + 1).OrderBy(i => mus[i]).ToArray();
                var sorted = new double[n + 3];
                sorted[0] = low;
                for (int i = 0; i <= n; i++) sorted[i + 1] = mus[order[i]];
                sorted[n + 2] = high;
                var ss = new double[n + 1];
                for (int i = 0; i <= n; i++) ss[i] = Math.Max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
                if (!considerEndpoints && sorted.Length >= 4)
                {
                    ss[0] = sorted[2] - sorted[1];
                    ss[n] = sorted[n + 1] - sorted[n];
                }
                for (int i = 0; i <= n; i++) sigmas[order[i]] = ss[i];
            }
            double maxSigma = high - low;
            double minSigma = considerMagicClip ? (high - low) / Math.Min(100.0, 1.0 + (n + 1)) : 1e-12;
            for (int i = 0; i <= n; i++) sigmas[i] = Math.Clamp(sigmas[i], minSigma, maxSigma);
            sigmas[n] = high - low; // the prior is as wide as the range
            numeric[name] = (low, high, q, mus, sigmas);
        }
    }

    private static (double Low, double High, double? Q) Bounds(Distribution d) => d switch
    {
        FloatDistribution { Log: true } f => (Math.Log(f.Low), Math.Log(f.High), null),
        FloatDistribution { Step: { } s } f => (f.Low - 0.5 * s, f.High + 0.5 * s, s),
        FloatDistribution f => (f.Low, f.High, null),
        IntDistribution { Log: true } i => (Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5), null),
        IntDistribution i => (i.Low - 0.5 * i.Step, i.High + 0.5 * i.Step, i.Step),
        _ => throw new ArgumentException($"No Parzen bounds for {d}."),
    };

    private static double Transform(Distribution d, double v) => d is FloatDistribution { Log: true } or IntDistribution { Log: true } ? Math.Log(v) : v;

    private static double Untransform(Distribution d, double v) => d switch
    {
        FloatDistribution { Log: true } f => Math.Clamp(Math.Exp(v), f.Low, f.High),
        FloatDistribution { Step: { } s } f => Math.Clamp(Math.Round((v - f.Low) / s) * s + f.Low, f.Low, f.High),
        FloatDistribution f => Math.Clamp(v, f.Low, f.High),
        IntDistribution { Log: true } i => Math.Clamp(Math.Round(Math.Exp(v)), i.Low, i.High),
        IntDistribution i => Math.Clamp(Math.Round((v - i.Low) / i.Step) * i.Step + i.Low, i.Low, i.High),
        _ => v,
    };

    /// <summary>Draws <paramref name="size"/> points: a kernel by weight, then each dimension from that kernel.</summary>
    public List<Dictionary<string, double>> Sample(Random random, int size)
    {
        var result = new List<Dictionary<string, double>>(size);
        for (int s = 0; s < size; s++)
        {
            double u = random.NextDouble(), acc = 0;
            int k = weights.Length - 1;
            for (int i = 0; i < weights.Length; i++)
            {
                acc += weights[i];
                if (u < acc) { k = i; break; }
            }
            var point = new Dictionary<string, double>();
            foreach (var (name, dist) in space)
            {
                if (categorical.TryGetValue(name, out var rows))
                {
                    double v = random.NextDouble(), c = 0;
                    int j = 0;
                    for (; j < rows[k].Length - 1; j++)
                    {
                        c += rows[k][j];
                        if (v < c) break;
                    }
                    point[name] = j;
                }
                else
                {
                    var p = numeric[name];
                    point[name] = Untransform(dist, TruncatedNormal.Sample(random, p.Low, p.High, p.Mus[k], p.Sigmas[k]));
                }
            }
            result.Add(point);
        }
        return result;
    }

    /// <summary>log density of the mixture at a point (internal values).</summary>
    public double LogPdf(IReadOnlyDictionary<string, double> point)
    {
        int m = weights.Length;
        var component = new double[m];
        for (int i = 0; i < m; i++) component[i] = Math.Log(weights[i]);
        foreach (var (name, dist) in space)
        {
            double x = point[name];
            if (categorical.TryGetValue(name, out var rows))
            {
                for (int i = 0; i < m; i++) component[i] += Math.Log(rows[i][(int)x]);
                continue;
            }
            var p = numeric[name];
            double t = Transform(dist, x);
            for (int i = 0; i < m; i++)
            {
                double mu = p.Mus[i], sg = p.Sigmas[i];
                if (p.Q is { } q)
                {
                    // A stepped value stands for its whole cell: the kernel's mass over it, renormalised to the range.
                    double up = Math.Min(t + q / 2, p.High), lo = Math.Max(t - q / 2, p.Low);
                    component[i] += TruncatedNormal.LogMass((lo - mu) / sg, (up - mu) / sg) - TruncatedNormal.LogMass((p.Low - mu) / sg, (p.High - mu) / sg);
                }
                else
                {
                    component[i] += TruncatedNormal.LogPdf(t, p.Low, p.High, mu, sg, omitScale: !exactDensity);
                }
            }
        }
        double max = component.Max();
        if (double.IsNegativeInfinity(max)) return max;
        return max + Math.Log(component.Sum(c => Math.Exp(c - max)));
    }
}
