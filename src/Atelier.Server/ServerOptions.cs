namespace Atelier.Server;

/// <summary>What `atelier serve` was started with; bound once at start-up.</summary>
public sealed record ServerOptions
{
    /// <summary>The runs folder: its run store (atelier.db) and run folders.</summary>
    public string Runs { get; init; } = "runs";

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 5000;

    /// <summary>Required when <see cref="Host"/> is not a loopback address: every request then carries it.</summary>
    public string? Token { get; init; }

    /// <summary>Checkpoints or run folders to serve predictions with; none: the best finished run's.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>The API's body-size limit, rate limit and request timeout.</summary>
    public Api.ApiLimits Limits { get; init; } = new();

    /// <summary>How the prediction workers batch concurrent requests.</summary>
    public Prediction.BatchingOptions Batching { get; init; } = new();

    /// <summary>
    /// Where the tuning studies live, opened by whoever starts the server (`atelier serve --storage URL`) and disposed by
    /// them; null: the server knows no studies, so /api/v1/studies is empty and every study is unknown.
    /// </summary>
    public Atelier.Tuning.IStudyStorage? Studies { get; init; }

    public bool IsLoopback => Host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}
