using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Atelier.Tuning;

/// <summary>
/// Studies in one SQLite file (`atelier tune` uses runs/tuning.db) that several worker processes on one machine share:
/// WAL, a 60 s busy timeout and short BEGIN IMMEDIATE write transactions, so workers queue instead of failing with
/// "database is locked". Times are UTC ISO-8601 text from this machine's clock. Threads may share one instance.
/// </summary>
public sealed class SqliteStudyStorage : SqlStudyStorage
{
    private readonly object gate = new();
    private readonly SqliteConnection connection;

    /// <param name="path">the SQLite file; its folder is made when missing.</param>
    /// <param name="readOnly">for readers (`atelier trials`, the server): never creates or changes the file.</param>
    public SqliteStudyStorage(string path, bool readOnly = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (readOnly && !File.Exists(Path)) throw new FileNotFoundException($"There is no study storage at {Path}: no study has been tuned into it yet.", Path);
        try
        {
            connection = Experiments.SqliteFiles.Open(Path, readOnly);
            if (readOnly) return;
            using var tx = connection.BeginTransaction(deferred: false);
            Execute(connection, tx, Schema);
            tx.Commit();
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            throw new IOException($"The study storage {Path} cannot be used: {e.Message.TrimEnd('.')} (is it an Atelier study storage, and is its folder writable?).", e);
        }
    }

    public string Path { get; }

    public override string Describe => $"sqlite:///{Path}";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS studies (
            id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, definition TEXT, created TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS trials (
            id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL REFERENCES studies(id), number INTEGER NOT NULL,
            state TEXT NOT NULL, value REAL, worker TEXT, started TEXT, completed TEXT, heartbeat TEXT, UNIQUE (study_id, number));
        CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state);
        CREATE TABLE IF NOT EXISTS trial_params (
            trial_id INTEGER NOT NULL REFERENCES trials(id), name TEXT NOT NULL, value REAL NOT NULL, distribution TEXT NOT NULL,
            PRIMARY KEY (trial_id, name));
        CREATE TABLE IF NOT EXISTS trial_values (
            trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value REAL, PRIMARY KEY (trial_id, step));
        CREATE TABLE IF NOT EXISTS trial_attrs (
            trial_id INTEGER NOT NULL REFERENCES trials(id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (trial_id, key));
        """;

    private protected override T Use<T>(Func<DbConnection, T> body)
    {
        lock (gate)
        {
            try
            {
                return body(connection);
            }
            catch (SqliteException e)
            {
                throw new IOException($"The study storage {Path} cannot be used: {e.Message.TrimEnd('.')}.", e);
            }
        }
    }

    private protected override DbTransaction BeginWrite(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: false);

    private protected override DbTransaction BeginRead(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: true);

    private protected override string ForUpdate => "";

    private protected override string NowSql => "@now";

    private protected override string CutoffSql => "@cutoff";

    private protected override void BindTimes(DbCommand command, TimeSpan grace)
    {
        var now = DateTime.UtcNow;
        Bind(command, "@now", Stamp(now));
        Bind(command, "@cutoff", Stamp(now - grace));
    }

    private static void Bind(DbCommand command, string name, string value)
    {
        if (!command.CommandText.Contains(name, StringComparison.Ordinal)) return;
        if (command.Parameters.Contains(name)) command.Parameters.RemoveAt(name);
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    /// <summary>Round-trip ISO-8601 in UTC: fixed width, so text order is time order.</summary>
    internal static string Stamp(DateTime utc) => utc.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private protected override DateTime? ReadTime(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTime.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public override void Dispose()
    {
        lock (gate) connection.Dispose();
    }
}
