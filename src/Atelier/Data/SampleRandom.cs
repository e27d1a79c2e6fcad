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
}
