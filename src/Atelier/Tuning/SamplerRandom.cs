namespace Atelier.Tuning;

/// <summary>
/// The randomness of a sampler without hidden state: a generator derived from the sampler's seed, the trial's number
/// and what is being drawn, so the same seed gives the same trials on any worker and in any process. Without a seed,
/// a fresh random generator.
/// </summary>
public static class SamplerRandom
{
    public static Random For(int? seed, int trialNumber, string stream)
    {
        if (seed is not { } s) return new Random();
        // FNV-1a: string.GetHashCode changes from process to process.
        ulong h = 14695981039346656037UL;
        foreach (char c in stream) h = (h ^ c) * 1099511628211UL;
        h ^= (ulong)(uint)s * 0x9E3779B97F4A7C15UL;
        h ^= (ulong)(uint)trialNumber * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return new Random((int)(h & 0x7FFFFFFF));
    }
}
