namespace Atelier.Tensors;

/// <summary>
/// The seeded random source of a run (xoshiro256**): same seed, same numbers, on every machine and .NET version,
/// which System.Random does not promise.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private float? spareNormal;

    public Rng(ulong seed)
    {
        // splitmix64 spreads a small seed over the whole state, as the xoshiro authors recommend.
        s0 = SplitMix(ref seed); s1 = SplitMix(ref seed); s2 = SplitMix(ref seed); s3 = SplitMix(ref seed);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The generator's full state, for checkpoints: restoring it continues the stream exactly.</summary>
    public ulong[] GetState() => [s0, s1, s2, s3, spareNormal is float f ? 1UL << 32 | BitConverter.SingleToUInt32Bits(f) : 0];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 5) throw new ArgumentException("An Rng state has 5 words.", nameof(state));
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3]);
        spareNormal = (state[4] >> 32) != 0 ? BitConverter.UInt32BitsToSingle((uint)state[4]) : null;
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A new generator whose stream is independent of this one's (for data loading, augmentation, dropout).</summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1UL << 24));

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>Uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        return (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);
    }

    /// <summary>Standard normal (Box-Muller, both values used).</summary>
    public float Normal()
    {
        if (spareNormal is float spare) { spareNormal = null; return spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = (float)(r * Math.Sin(2 * Math.PI * u2));
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    public float Normal(float mean, float std) => mean + std * Normal();

    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
