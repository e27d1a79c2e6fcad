using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Atelier.Experiments;

/// <summary>
/// The run store: one SQLite file (runs/atelier.db) with every run, its options, per-epoch metrics and final
/// metrics. A run is marked finished in the same transaction that writes its final metrics, so a crash never
/// leaves a half-written run marked finished. Many processes may share one store (WAL, a generous busy timeout,
/// IMMEDIATE write transactions); each running run records its host, process and a heartbeat so that readers can
/// tell a dead run from a live one (<see cref="RunLiveness"/>).
/// </summary>
public sealed class RunStore : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly bool readOnly;

    /// <param name="path">the SQLite file (runs/atelier.db).</param>
    /// <param name="readOnly">for readers (`atelier runs`, the server): never creates or changes the file.</param>
    public RunStore(string path, bool readOnly = false)
    {
        Path = System.IO.Path.GetFullPath(path);
        this.readOnly = readOnly;
        if (readOnly && !File.Exists(Path)) throw new FileNotFoundException($"There is no run store at {Path}: no run has been trained into that folder yet.");
        try
        {
            connection = SqliteFiles.Open(Path, readOnly);
            if (readOnly) return;
            using var tx = connection.BeginTransaction();
            Execute(Schema, tx);
            AddMissingColumns(tx);
            tx.Commit();
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            throw new IOException($"The run store {Path} cannot be used: {e.Message.TrimEnd('.')} (is it an Atelier run store, and is its folder writable?).", e);
        }
    }

    public string Path { get; }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY, model TEXT NOT NULL, status TEXT NOT NULL, experiment TEXT,
            folder TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, message TEXT);
        CREATE TABLE IF NOT EXISTS run_options (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, value TEXT, PRIMARY KEY (run_id, key));
        CREATE TABLE IF NOT EXISTS epoch_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id), epoch INTEGER NOT NULL, train_loss REAL, train_accuracy REAL,
            val_loss REAL, val_accuracy REAL, learning_rate REAL, seconds REAL, PRIMARY KEY (run_id, epoch));
        CREATE TABLE IF NOT EXISTS final_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL, value REAL, PRIMARY KEY (run_id, key));
        """;

    /// <summary>Where a run lives, added after the first stores were written: stores made before get the columns on first open.</summary>
    private static readonly (string Name, string Type)[] LivenessColumns = [("host", "TEXT"), ("pid", "INTEGER"), ("process_started", "TEXT"), ("heartbeat", "TEXT")];

    private void AddMissingColumns(SqliteTransaction tx)
    {
        var present = new HashSet<string>();
        using (var cmd = Command("PRAGMA table_info(runs)", tx, []))
        using (var reader = cmd.ExecuteReader())
            while (reader.Read()) present.Add(reader.GetString(1));
        foreach (var (name, type) in LivenessColumns)
            if (!present.Contains(name)) Execute($"ALTER TABLE runs ADD COLUMN {name} {type}", tx);
    }

    /// <summary>Registers a run as running (or, when resumed, marks it running again in this process), with its options.</summary>
    public void StartRun(string id, string model, string folder, string? experiment, IEnumerable<KeyValuePair<string, string>> options)
    {
        using var tx = connection.BeginTransaction();
        Execute("""
            INSERT INTO runs (id, model, status, experiment, folder, started, host, pid, process_started, heartbeat)
            VALUES ($id, $model, 'running', $exp, $folder, $now, $host, $pid, $pstart, $now)
            ON CONFLICT(id) DO UPDATE SET status = 'running', ended = NULL, message = NULL, folder = $folder,
                host = $host, pid = $pid, process_started = $pstart, heartbeat = $now
            """, tx, ("$id", id), ("$model", model), ("$exp", experiment), ("$folder", folder), ("$now", Now()),
            ("$host", RunLiveness.Host), ("$pid", Environment.ProcessId), ("$pstart", Stamp(RunLiveness.ThisProcessStarted)));
        foreach (var (key, value) in options)
            Execute("INSERT OR REPLACE INTO run_options (run_id, key, value) VALUES ($id, $key, $value)", tx, ("$id", id), ("$key", key), ("$value", value));
        tx.Commit();
    }

    /// <summary>Says the run is alive (see <see cref="RunHeartbeat"/>).</summary>
    public void Beat(string id) => Execute("UPDATE runs SET heartbeat = $now WHERE id = $id AND status = 'running'", null, ("$id", id), ("$now", Now()));

    public void AddEpoch(string id, int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double learningRate, double seconds)
    {
        using var tx = connection.BeginTransaction();
        Execute("""
            INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds)
            VALUES ($id, $epoch, $tl, $ta, $vl, $va, $lr, $s)
            """, tx, ("$id", id), ("$epoch", epoch), ("$tl", trainLoss), ("$ta", trainAccuracy), ("$vl", valLoss), ("$va", valAccuracy), ("$lr", learningRate), ("$s", seconds));
        // A resumed run repeats no epoch, but one that was cut while saving may have stored epochs it now trains again.
        Execute("DELETE FROM epoch_metrics WHERE run_id = $id AND epoch > $epoch", tx, ("$id", id), ("$epoch", epoch));
        Execute("UPDATE runs SET heartbeat = $now WHERE id = $id", tx, ("$id", id), ("$now", Now()));
        tx.Commit();
    }

    /// <summary>Writes the final metrics and marks the run finished, atomically.</summary>
    public void FinishRun(string id, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        using var tx = connection.BeginTransaction();
        foreach (var (key, value) in metrics)
            Execute("INSERT OR REPLACE INTO final_metrics (run_id, key, value) VALUES ($id, $key, $value)", tx, ("$id", id), ("$key", key), ("$value", value));
        Execute("UPDATE runs SET status = 'finished', ended = $now, message = NULL WHERE id = $id", tx, ("$id", id), ("$now", Now()));
        tx.Commit();
    }

    /// <summary>Marks a run stopped without results: "interrupted" (resumable) or "failed" (with the reason).</summary>
    public void EndRun(string id, string status, string? message) =>
        Execute("UPDATE runs SET status = $status, ended = $now, message = $msg WHERE id = $id", null,
            ("$id", id), ("$status", status), ("$now", Now()), ("$msg", message));

    /// <summary>The run's status as readers should show it (a dead "running" run is "interrupted"); null for an unknown id.</summary>
    public string? Status(string id) => Runs().FirstOrDefault(r => r.Id == id)?.Status;

    public RunRecord? Find(string id) => Runs().FirstOrDefault(r => r.Id == id);

    /// <summary>Every run (of one experiment, when given), newest first, with dead runs shown as interrupted.</summary>
    public List<RunRecord> Runs(string? experiment = null)
    {
        if (!HasSchema()) return [];
        using var cmd = Command("""
            SELECT r.id, r.model, r.status, r.experiment, r.folder, r.started, r.ended, r.message, r.host, r.pid, r.process_started, r.heartbeat,
                (SELECT value FROM final_metrics WHERE run_id = r.id AND key = 'best_epoch'),
                (SELECT value FROM final_metrics WHERE run_id = r.id AND key = 'test_accuracy'),
                (SELECT COUNT(*) FROM epoch_metrics WHERE run_id = r.id)
            FROM runs r WHERE $exp IS NULL OR r.experiment = $exp ORDER BY r.started DESC, r.id DESC
            """, null, [("$exp", experiment)]);
        using var reader = cmd.ExecuteReader();
        var now = DateTime.UtcNow;
        var rows = new List<RunRecord>();
        while (reader.Read())
        {
            string status = reader.GetString(2);
            string? host = Text(reader, 8);
            int? pid = reader.IsDBNull(9) ? null : reader.GetInt32(9);
            DateTime? heartbeat = Time(reader, 11);
            if (status == "running" && !RunLiveness.IsAlive(host, pid, Time(reader, 10), heartbeat, now)) status = "interrupted";
            rows.Add(new RunRecord(reader.GetString(0), reader.GetString(1), status, Text(reader, 3), reader.GetString(4), Time(reader, 5) ?? default,
                Time(reader, 6), Text(reader, 7), host, pid, heartbeat, reader.IsDBNull(12) ? null : (int)reader.GetDouble(12),
                reader.IsDBNull(13) ? null : reader.GetDouble(13), reader.GetInt32(14)));
        }
        return rows;
    }

    public Dictionary<string, double> FinalMetrics(string id)
    {
        if (!HasSchema()) return [];
        using var cmd = Command("SELECT key, value FROM final_metrics WHERE run_id = $id", null, [("$id", id)]);
        using var reader = cmd.ExecuteReader();
        var metrics = new Dictionary<string, double>();
        while (reader.Read()) metrics[reader.GetString(0)] = reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1);
        return metrics;
    }

    public int EpochCount(string id) => !HasSchema() ? 0 : Convert.ToInt32(Scalar("SELECT COUNT(*) FROM epoch_metrics WHERE run_id = $id", ("$id", id)), CultureInfo.InvariantCulture);

    public void Dispose() => connection.Dispose();

    /// <summary>
    /// False for a reader that opened the file between a writer creating it and committing the schema (two commands
    /// started at once): such a store holds no runs yet, rather than missing tables.
    /// </summary>
    private bool HasSchema() => !readOnly || Convert.ToInt64(Scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs'"), CultureInfo.InvariantCulture) > 0;

    private static string Now() => Stamp(DateTime.UtcNow);

    private static string Stamp(DateTime utc) => utc.ToString("O", CultureInfo.InvariantCulture);

    private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static DateTime? Time(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) || !DateTime.TryParse(reader.GetString(column), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t)
            ? null : t.ToUniversalTime();

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, null, parameters);
        return cmd.ExecuteScalar();
    }

    private void Execute(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(sql, tx, parameters);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx, (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        // SQLite has no NaN: a metric that is not a number (no validation set, a diverged loss) is stored as NULL.
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value is null or double.NaN or float.NaN ? DBNull.Value : value);
        return cmd;
    }
}
