namespace Atelier.Data;

/// <summary>
/// A small splitmix64 generator seeded from (seed, epoch, sample): augmentation draws from it so that a sample's
/// transform depends only on those three numbers, never on thread timing or on which samples came before. A struct:
/// one per sample costs no allocation.
/// </summary>
internal struct SampleRandom
{
    private ulong state;

    public SampleRandom(ulong seed, long epoch, long sample) => state = Mix(Mix(Mix(seed) ^ (ulong)epoch) ^ (ulong)sample);

    /// <summary>A well-mixed 64-bit hash of <paramref name="x"/> (splitmix64's finaliser).</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1UL << 24));

    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive) => (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);

    /// <summary>Uniform in (0, 1] with 53 random bits: its logarithm is always finite.</summary>
    private double NextPositiveDouble() => 1.0 - (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal, by Box–Muller (one of the pair; the other is dropped to keep the struct stateless).</summary>
    public double NextNormal()
    {
        double u = NextPositiveDouble(), v = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); a shape under 1 boosted as Gamma(shape + 1)·U^(1/shape).</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
        {
            double u = NextPositiveDouble();
            return NextGamma(shape + 1) * Math.Pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = NextNormal(), v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            if (Math.Log(NextPositiveDouble()) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary>Beta(a, b) as X / (X + Y) of two gamma variates.</summary>
    public double NextBeta(double a, double b)
    {
        double x = NextGamma(a), y = NextGamma(b);
        return x + y > 0 ? x / (x + y) : 0.5; // both underflow only for tiny shapes: either end is as likely
    }
}
