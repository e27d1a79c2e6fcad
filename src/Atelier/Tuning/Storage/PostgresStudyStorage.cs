using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Atelier.Tuning;

/// <summary>
/// Studies in a PostgreSQL database that workers on several machines share (Optuna's RDB storage), from a URL in
/// the form libpq and SQLAlchemy use: postgresql://user[:password]@host[:port]/db (postgres:// and
/// postgresql+psycopg2:// too; ?host=/var/run/postgresql for a Unix socket). The tables are made on first use under
/// an advisory lock; trial numbers are taken with the study's row locked, so they are unique and gap-free; heartbeats
/// and stale checks use the server's clock, so machines whose clocks disagree still agree on who is dead.
/// </summary>
public sealed class PostgresStudyStorage : SqlStudyStorage
{
    private readonly NpgsqlDataSource source;

    /// <param name="url">postgresql://user[:password]@host[:port]/db.</param>
    /// <param name="readOnly">for readers: changes nothing, makes no tables.</param>
    public PostgresStudyStorage(string url, bool readOnly = false)
    {
        var builder = ConnectionString(url);
        if (readOnly) builder.Options = "-c default_transaction_read_only=on";
        Describe = StudyStorages.Redact(url);
        source = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            Use(c =>
            {
                if (readOnly)
                {
                    using var check = Command(c, null, "SELECT to_regclass('trials') IS NOT NULL");
                    if (!(bool)check.ExecuteScalar()!) throw new FileNotFoundException($"There is no study storage in {Describe}: no study has been tuned into that database yet.");
                    return 0;
                }
                using var tx = c.BeginTransaction();
                // Two workers starting at once would both try to make the tables: one waits for the other.
                Execute(c, tx, "SELECT pg_advisory_xact_lock(7260512837192331)");
                Execute(c, tx, Schema);
                tx.Commit();
                return 0;
            });
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public override string Describe { get; }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS studies (
            id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, definition TEXT,
            created TIMESTAMPTZ NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS trials (
            id BIGSERIAL PRIMARY KEY, study_id BIGINT NOT NULL REFERENCES studies(id), number INTEGER NOT NULL,
            state TEXT NOT NULL, value DOUBLE PRECISION, worker TEXT, started TIMESTAMPTZ, completed TIMESTAMPTZ,
            heartbeat TIMESTAMPTZ, UNIQUE (study_id, number));
        CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state);
        CREATE TABLE IF NOT EXISTS trial_params (
            trial_id BIGINT NOT NULL REFERENCES trials(id), name TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
            distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name));
        CREATE TABLE IF NOT EXISTS trial_values (
            trial_id BIGINT NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value DOUBLE PRECISION, PRIMARY KEY (trial_id, step));
        CREATE TABLE IF NOT EXISTS trial_attrs (
            trial_id BIGINT NOT NULL REFERENCES trials(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (trial_id, key));
        """;

    /// <summary>The connection string for <paramref name="url"/>, with a 5 s connect timeout; ArgumentException when it is not a PostgreSQL URL.</summary>
    internal static NpgsqlConnectionStringBuilder ConnectionString(string url)
    {
        var redacted = StudyStorages.Redact(url);
        ArgumentException Bad(string why) => new($"'{redacted}' is not a PostgreSQL URL ({why}): use postgresql://user[:password]@host[:port]/db.");
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0 || url[..schemeEnd].ToLowerInvariant() is not ("postgresql" or "postgres" or "postgresql+psycopg2" or "postgresql+psycopg" or "postgresql+pg8000"))
            throw Bad("it does not start with postgresql://");
        var rest = url[(schemeEnd + 3)..];
        string? query = null;
        if (rest.IndexOf('?') is var q and >= 0) (rest, query) = (rest[..q], rest[(q + 1)..]);
        var slash = rest.IndexOf('/');
        if (slash < 0 || slash == rest.Length - 1) throw Bad("it names no database");
        var (authority, database) = (rest[..slash], Uri.UnescapeDataString(rest[(slash + 1)..]));
        string? user = null, password = null;
        if (authority.LastIndexOf('@') is var at and >= 0)
        {
            var info = authority[..at];
            authority = authority[(at + 1)..];
            if (info.IndexOf(':') is var colon and >= 0) (user, password) = (info[..colon], Uri.UnescapeDataString(info[(colon + 1)..]));
            else user = info;
            user = Uri.UnescapeDataString(user);
        }
        string host = authority;
        int port = 5432;
        var portColon = authority.StartsWith('[') ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (portColon > 0)
        {
            host = authority[..portColon];
            if (!int.TryParse(authority[(portColon + 1)..], out port) || port is < 1 or > 65535) throw Bad($"port '{authority[(portColon + 1)..]}'");
        }
        host = host.Trim('[', ']');
        foreach (var pair in (query ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var (k, v) = eq < 0 ? (pair, "") : (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..]));
            switch (k)
            {
                case "host": host = v; break;
                case "port" when int.TryParse(v, out var p): port = p; break;
                case "user": user = v; break;
                case "password": password = v; break;
                default: throw Bad($"unknown option '{k}'");
            }
        }
        if (host.Length == 0) throw Bad("it names no host");
        return new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Database = database,
            Username = user,
            Password = password,
            Timeout = 5,
            CommandTimeout = 60,
        };
    }

    private protected override T Use<T>(Func<DbConnection, T> body)
    {
        try
        {
            using var connection = source.OpenConnection();
            return body(connection);
        }
        catch (NpgsqlException e) when (Explain(e) is { } message)
        {
            throw new IOException(message, e);
        }
    }

    /// <summary>One sentence for a failure to reach or use the server; null for errors of a statement, which pass as they are.</summary>
    private string? Explain(NpgsqlException e)
    {
        var database = new NpgsqlConnectionStringBuilder(source.ConnectionString).Database;
        if (e is PostgresException pg)
            return pg.SqlState switch
            {
                "28P01" or "28000" => $"PostgreSQL at {Describe} refused the login: {pg.MessageText}. Check the user and password.",
                "3D000" => $"PostgreSQL at {Describe} has no database '{database}': create it (createdb {database}).",
                "57P01" or "57P02" or "57P03" => $"PostgreSQL at {Describe} is shutting down or starting: {pg.MessageText}.",
                "42501" => $"PostgreSQL at {Describe} does not let this user use the study tables: {pg.MessageText}.",
                _ => null,
            };
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
                return $"Cannot reach PostgreSQL at {Describe}: {(socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : socket.Message.TrimEnd('.').ToLowerInvariant())}. Is the server running?";
            if (inner is TimeoutException)
                return $"Cannot reach PostgreSQL at {Describe}: no answer within 5 s. Is the server running, and is the host right?";
        }
        return e.IsTransient || e.InnerException is IOException ? $"Cannot reach PostgreSQL at {Describe}: {e.Message.TrimEnd('.')}." : null;
    }

    private protected override DbTransaction BeginWrite(DbConnection c) => ((NpgsqlConnection)c).BeginTransaction(IsolationLevel.ReadCommitted);

    private protected override DbTransaction BeginRead(DbConnection c) => ((NpgsqlConnection)c).BeginTransaction(IsolationLevel.RepeatableRead);

    private protected override string ForUpdate => " FOR UPDATE";

    private protected override string NowSql => "now()";

    private protected override string CutoffSql => "now() - @grace";

    private protected override void BindTimes(DbCommand command, TimeSpan grace)
    {
        if (!command.CommandText.Contains("@grace", StringComparison.Ordinal)) return;
        if (command.Parameters.Contains("@grace")) command.Parameters.RemoveAt("@grace");
        command.Parameters.Add(new NpgsqlParameter("@grace", grace));
    }

    private protected override DateTime? ReadTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTime>(ordinal);

    public override void Dispose() => source.Dispose();
}
