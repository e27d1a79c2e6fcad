namespace Atelier.Server.Prediction;

/// <summary>
/// How a model's worker batches the requests that arrive together. Defaults measured by `bench serve`
/// (bench/README.md): waiting costs the lone request its delay; batching pays once several wait.
/// </summary>
public sealed record BatchingOptions
{
    /// <summary>The most images one forward pass takes; 1 turns batching off (every image alone, as the bench compares).</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>
    /// How long the worker waits for more requests once one arrived, when fewer than <see cref="MaxBatch"/> are queued.
    /// Zero batches only what queued up while the previous batch ran.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Wait for company even when requests come one at a time (tests; the default skips the wait then).</summary>
    public bool AlwaysWait { get; init; }

    /// <summary>Requests waiting for a worker beyond this are refused (503) rather than queued without end.</summary>
    public int MaxQueue { get; init; } = 1024;

    public void Validate()
    {
        if (MaxBatch < 1) throw new ArgumentException($"The batch size must be at least 1, got {MaxBatch}.");
        if (MaxDelay < TimeSpan.Zero) throw new ArgumentException($"The batching delay must not be negative, got {MaxDelay}.");
        if (MaxQueue < 1) throw new ArgumentException($"The prediction queue must hold at least 1 request, got {MaxQueue}.");
    }
}
