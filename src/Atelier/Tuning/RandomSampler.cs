namespace Atelier.Tuning;

/// <summary>Independent uniform sampling (log-uniform on a log scale, on the step grid when stepped): Optuna's RandomSampler.</summary>
public sealed class RandomSampler(int? seed = null) : ISampler
{
    public int? Seed => seed;

    public IReadOnlyDictionary<string, Distribution> InferRelativeSearchSpace(StudyView study, FrozenTrial trial) => new Dictionary<string, Distribution>();

    public IReadOnlyDictionary<string, double> SampleRelative(StudyView study, FrozenTrial trial, IReadOnlyDictionary<string, Distribution> space) => new Dictionary<string, double>();

    public double SampleIndependent(StudyView study, FrozenTrial trial, string name, Distribution distribution) =>
        Draw(SamplerRandom.For(seed, trial.Number, name), distribution);

    /// <summary>One uniform draw from <paramref name="distribution"/> (internal form).</summary>
    public static double Draw(Random random, Distribution distribution)
    {
        switch (distribution)
        {
            case FloatDistribution f when f.Step is { } step:
                {
                    long n = (long)Math.Round((f.High - f.Low) / step);
                    return Math.Min(f.High, f.Low + random.NextInt64(n + 1) * step);
                }
            case FloatDistribution f when f.Log:
                return Math.Clamp(Math.Exp(Math.Log(f.Low) + random.NextDouble() * (Math.Log(f.High) - Math.Log(f.Low))), f.Low, f.High);
            case FloatDistribution f:
                return f.Low + random.NextDouble() * (f.High - f.Low);
            case IntDistribution i when i.Log:
                {
                    // Optuna: uniform in log space over [low - 0.5, high + 0.5], then rounded.
                    double lo = Math.Log(i.Low - 0.5), hi = Math.Log(i.High + 0.5);
                    return Math.Clamp(Math.Round(Math.Exp(lo + random.NextDouble() * (hi - lo))), i.Low, i.High);
                }
            case IntDistribution i:
                return i.Low + random.NextInt64((i.High - i.Low) / i.Step + 1) * i.Step;
            case CategoricalDistribution c:
                return random.Next(c.Choices.Count);
            default:
                throw new ArgumentException($"Unknown distribution {distribution}.");
        }
    }
}
