using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Atelier.Experiments;

/// <summary>
/// The run store: one SQLite file (runs/atelier.db) with every run, its options, per-epoch metrics and final
/// metrics. A run is marked finished in the same transaction that writes its final metrics, so a crash never
/// leaves a half-written run marked finished.
/// </summary>
public sealed class RunStore : IDisposable
{
    private readonly SqliteConnection connection;

    public RunStore(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;");
        Execute("""
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
            """);
    }

    /// <summary>Registers a run as running (or, when resumed, marks it running again), with its options.</summary>
    public void StartRun(string id, string model, string folder, string? experiment, IEnumerable<KeyValuePair<string, string>> options)
    {
        using var tx = connection.BeginTransaction();
        Execute("""
            INSERT INTO runs (id, model, status, experiment, folder, started) VALUES ($id, $model, 'running', $exp, $folder, $now)
            ON CONFLICT(id) DO UPDATE SET status = 'running', ended = NULL, message = NULL
            """, tx, ("$id", id), ("$model", model), ("$exp", experiment), ("$folder", folder), ("$now", Now()));
        foreach (var (key, value) in options)
            Execute("INSERT OR REPLACE INTO run_options (run_id, key, value) VALUES ($id, $key, $value)", tx, ("$id", id), ("$key", key), ("$value", value));
        tx.Commit();
    }

    public void AddEpoch(string id, int epoch, double trainLoss, double trainAccuracy, double valLoss, double valAccuracy, double learningRate, double seconds) =>
        Execute("""
            INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, seconds)
            VALUES ($id, $epoch, $tl, $ta, $vl, $va, $lr, $s)
            """, null, ("$id", id), ("$epoch", epoch), ("$tl", trainLoss), ("$ta", trainAccuracy), ("$vl", valLoss), ("$va", valAccuracy), ("$lr", learningRate), ("$s", seconds));

    /// <summary>Writes the final metrics and marks the run finished, atomically.</summary>
    public void FinishRun(string id, IEnumerable<KeyValuePair<string, double>> metrics)
    {
        using var tx = connection.BeginTransaction();
        foreach (var (key, value) in metrics)
            Execute("INSERT OR REPLACE INTO final_metrics (run_id, key, value) VALUES ($id, $key, $value)", tx, ("$id", id), ("$key", key), ("$value", value));
        Execute("UPDATE runs SET status = 'finished', ended = $now WHERE id = $id", tx, ("$id", id), ("$now", Now()));
        tx.Commit();
    }

    /// <summary>Marks a run stopped without results: "interrupted" (resumable) or "failed" (with the reason).</summary>
    public void EndRun(string id, string status, string? message) =>
        Execute("UPDATE runs SET status = $status, ended = $now, message = $msg WHERE id = $id", null,
            ("$id", id), ("$status", status), ("$now", Now()), ("$msg", message));

    public string? Status(string id) =>
        Scalar("SELECT status FROM runs WHERE id = $id", ("$id", id)) as string;

    /// <summary>Runs as (id, model, status, experiment, folder), newest first.</summary>
    public List<(string Id, string Model, string Status, string? Experiment, string Folder)> Runs(string? experiment = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, model, status, experiment, folder FROM runs WHERE $exp IS NULL OR experiment = $exp ORDER BY started DESC, id DESC";
        cmd.Parameters.AddWithValue("$exp", (object?)experiment ?? DBNull.Value);
        using var reader = cmd.ExecuteReader();
        var rows = new List<(string, string, string, string?, string)>();
        while (reader.Read())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
        return rows;
    }

    public Dictionary<string, double> FinalMetrics(string id)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT key, value FROM final_metrics WHERE run_id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        using var reader = cmd.ExecuteReader();
        var metrics = new Dictionary<string, double>();
        while (reader.Read()) metrics[reader.GetString(0)] = reader.IsDBNull(1) ? double.NaN : reader.GetDouble(1);
        return metrics;
    }

    public int EpochCount(string id) => Convert.ToInt32(Scalar("SELECT COUNT(*) FROM epoch_metrics WHERE run_id = $id", ("$id", id)), CultureInfo.InvariantCulture);

    public void Dispose() => connection.Dispose();

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

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
