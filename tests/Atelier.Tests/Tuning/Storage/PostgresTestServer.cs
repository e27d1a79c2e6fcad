using Xunit;

namespace Atelier.Tests.Tuning.Storage;

/// <summary>
/// The PostgreSQL server the tests use: ATELIER_TEST_POSTGRES (scripts/postgres-test-server.sh start prints it). Where
/// it is unset the PostgreSQL tests are skipped, except in CI (CI set), where they run and fail loudly.
/// </summary>
public static class PostgresTestServer
{
    public static string? Url => Environment.GetEnvironmentVariable("ATELIER_TEST_POSTGRES") is { Length: > 0 } url ? url : null;

    public static bool InCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 };

    /// <summary>Whether the PostgreSQL tests run: a server is named, or CI demands them.</summary>
    public static bool Runs => Url is not null || InCi;

    public const string Missing = "ATELIER_TEST_POSTGRES is not set: run `eval \"$(scripts/postgres-test-server.sh start)\"` to test the PostgreSQL storage.";

    /// <summary>The server's URL; in CI without one, a failure that says what is missing.</summary>
    public static string Require() => Url ?? throw new InvalidOperationException("CI is set but " + Missing);
}

/// <summary>A [Fact] skipped, with the reason, where no test PostgreSQL server is named and CI is unset.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresTestServer.Runs) Skip = PostgresTestServer.Missing;
    }
}
