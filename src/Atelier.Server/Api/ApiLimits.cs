namespace Atelier.Server.Api;

/// <summary>
/// What one client may ask of the server. The rate limit is generous (a browser or a load test on this machine never
/// meets it) but stops a runaway script; every refusal is problem JSON with one sentence.
/// </summary>
public sealed record ApiLimits
{
    /// <summary>The largest request body (an upload): 10 MB holds any photo worth classifying at 28x28; more is 413.</summary>
    public long MaxBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>The most images one multipart request may carry (one full batch).</summary>
    public int MaxImagesPerRequest { get; init; } = 64;

    /// <summary>Requests one client (remote address) may make per <see cref="RateWindow"/>; beyond it, 429.</summary>
    public int RatePermits { get; init; } = 20_000;

    public TimeSpan RateWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An API request that takes longer is abandoned (503).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
