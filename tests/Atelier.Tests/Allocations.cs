namespace Atelier.Tests;

/// <summary>Measures what warm calls allocate on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="calls"/> allocated on this thread in up to <paramref name="attempts"/> tries
    /// (stopping at the first that allocated nothing). Code that allocates on every call shows in every try; but under
    /// CPU load from other processes, .NET's per-thread count was seen to jump by up to one 8 KB allocation quantum
    /// while this thread waited on the kernel workers and ran no allocating code of ours (CI failed once on 432 bytes).
    /// </summary>
    public static long Fewest(Action calls, int attempts = 5)
    {
        long fewest = long.MaxValue;
        for (int i = 0; i < attempts && fewest > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            calls();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
