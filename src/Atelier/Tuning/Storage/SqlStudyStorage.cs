using System.Data.Common;
using System.Globalization;

namespace Atelier.Tuning;

/// <summary>
/// What <see cref="SqliteStudyStorage"/> and <see cref="PostgresStudyStorage"/> share: the tables (studies, trials,
/// trial_params, trial_values, trial_attrs) and every operation of <see cref="IStudyStorage"/> as one short transaction,
/// with the semantics of <see cref="InMemoryStudyStorage"/>. A dialect says how to connect, how to begin a write
/// transaction, how to lock a row, and which clock stamps the trials.
/// </summary>
public abstract class SqlStudyStorage : IStudyStorage
{
    private protected SqlStudyStorage()
    {
    }

    public abstract string Describe { get; }

    /// <summary>Runs <paramref name="body"/> on an open connection, one caller at a time per connection.</summary>
    private protected abstract T Use<T>(Func<DbConnection, T> body);

    /// <summary>A write transaction that takes its lock at once (SQLite: BEGIN IMMEDIATE).</summary>
    private protected abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>A read transaction: one consistent view for the several queries that read trials.</summary>
    private protected abstract DbTransaction BeginRead(DbConnection connection);

    /// <summary>" FOR UPDATE" where rows can be locked (PostgreSQL); "" where a write transaction locks everything (SQLite).</summary>
    private protected abstract string ForUpdate { get; }

    /// <summary>The SQL for the time now: "@now" bound by <see cref="BindTimes"/>, or the server's "now()".</summary>
    private protected abstract string NowSql { get; }

    /// <summary>The SQL for the time <c>@grace</c> ago.</summary>
    private protected abstract string CutoffSql { get; }

    /// <summary>Binds (or binds again) @now, @cutoff or @grace where the command uses them.</summary>
    private protected abstract void BindTimes(DbCommand command, TimeSpan grace);

    private protected abstract DateTime? ReadTime(DbDataReader reader, int ordinal);

    private const string TrialColumns = "id, number, state, value, worker, started, completed, heartbeat";

    public StudyRecord CreateOrLoadStudy(string name, StudyDirection direction, string? definition) => Use(c =>
    {
        using var tx = BeginWrite(c);
        Execute(c, tx, $"INSERT INTO studies (name, direction, definition, created) VALUES (@name, @direction, @definition, {NowSql}) ON CONFLICT (name) DO NOTHING",
            ("@name", name), ("@direction", direction.ToString().ToLowerInvariant()), ("@definition", definition));
        var record = FindStudy(c, tx, name)!;
        tx.Commit();
        return record;
    });

    public StudyRecord? FindStudy(string name) => Use(c => FindStudy(c, null, name));

    private StudyRecord? FindStudy(DbConnection c, DbTransaction? tx, string name) =>
        ReadStudies(c, tx, "SELECT id, name, direction, definition, created FROM studies WHERE name = @name", ("@name", name)).FirstOrDefault();

    public IReadOnlyList<StudyRecord> Studies() => Use(c => ReadStudies(c, null, "SELECT id, name, direction, definition, created FROM studies ORDER BY id"));

    private List<StudyRecord> ReadStudies(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<StudyRecord>();
        while (r.Read())
            list.Add(new StudyRecord(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1), Enum.Parse<StudyDirection>(r.GetString(2), ignoreCase: true),
                r.IsDBNull(3) ? null : r.GetString(3), ReadTime(r, 4) ?? default));
        return list;
    }

    public FrozenTrial? ClaimTrial(long studyId, string worker, int? maxTrials) => Use(c =>
    {
        using var tx = BeginWrite(c);
        LockStudy(c, tx, studyId);
        var waiting = Scalar(c, tx, "SELECT id FROM trials WHERE study_id = @study AND state = 'waiting' ORDER BY number LIMIT 1", ("@study", studyId));
        long id;
        if (waiting is not null)
        {
            id = Convert.ToInt64(waiting, CultureInfo.InvariantCulture);
            Execute(c, tx, $"UPDATE trials SET state = 'running', worker = @worker, started = {NowSql}, heartbeat = {NowSql} WHERE id = @id", ("@id", id), ("@worker", worker));
        }
        else
        {
            if (maxTrials is { } max && Count(c, tx, "SELECT COUNT(*) FROM trials WHERE study_id = @study AND state <> 'fail'", studyId) >= max)
            {
                tx.Commit();
                return null;
            }
            id = Insert(c, tx, studyId, TrialState.Running, worker);
        }
        var trial = Load(c, tx, id);
        tx.Commit();
        return trial;
    });

    public FrozenTrial EnqueueTrial(long studyId, IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, Distribution> distributions, IReadOnlyDictionary<string, string>? attributes = null) => Use(c =>
    {
        using var tx = BeginWrite(c);
        LockStudy(c, tx, studyId);
        var id = Enqueue(c, tx, studyId, parameters, distributions, attributes);
        var trial = Load(c, tx, id);
        tx.Commit();
        return trial;
    });

    private long Enqueue(DbConnection c, DbTransaction tx, long studyId, IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, Distribution> distributions, IReadOnlyDictionary<string, string>? attributes)
    {
        var id = Insert(c, tx, studyId, TrialState.Waiting, null);
        foreach (var (name, value) in parameters)
            Execute(c, tx, "INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (@id, @name, @value, @distribution)",
                ("@id", id), ("@name", name), ("@value", value), ("@distribution", distributions[name].ToJson()));
        foreach (var (key, value) in attributes ?? new Dictionary<string, string>())
            Execute(c, tx, "INSERT INTO trial_attrs (trial_id, key, value) VALUES (@id, @key, @value)", ("@id", id), ("@key", key), ("@value", value));
        return id;
    }

    /// <summary>A new trial numbered after the last; the caller holds the study's lock.</summary>
    private long Insert(DbConnection c, DbTransaction tx, long studyId, TrialState state, string? worker)
    {
        var number = Count(c, tx, "SELECT COUNT(*) FROM trials WHERE study_id = @study", studyId);
        var times = state == TrialState.Running ? $"{NowSql}, {NowSql}" : "NULL, NULL";
        return Convert.ToInt64(Scalar(c, tx, $"INSERT INTO trials (study_id, number, state, worker, started, heartbeat) VALUES (@study, @number, @state, @worker, {times}) RETURNING id",
            ("@study", studyId), ("@number", number), ("@state", state.Name()), ("@worker", worker)), CultureInfo.InvariantCulture);
    }

    private void LockStudy(DbConnection c, DbTransaction tx, long studyId)
    {
        if (Scalar(c, tx, $"SELECT id FROM studies WHERE id = @study{ForUpdate}", ("@study", studyId)) is null)
            throw new ArgumentException($"There is no study with id {studyId} in {Describe}.");
    }

    public void SetParam(long trialId, string name, double internalValue, Distribution distribution) => Use(c =>
    {
        using var tx = BeginWrite(c);
        var number = Running(c, tx, trialId);
        using (var cmd = Command(c, tx, "SELECT value, distribution FROM trial_params WHERE trial_id = @id AND name = @name", ("@id", trialId), ("@name", name)))
        using (var r = cmd.ExecuteReader())
            if (r.Read())
            {
                var old = r.GetDouble(0);
                if (old != internalValue)
                    throw new InvalidOperationException($"Trial {number} already has {name} = {Distribution.FromJson(r.GetString(1)).Format(old)}.");
            }
        Execute(c, tx, """
            INSERT INTO trial_params (trial_id, name, value, distribution) VALUES (@id, @name, @value, @distribution)
            ON CONFLICT (trial_id, name) DO UPDATE SET distribution = excluded.distribution
            """, ("@id", trialId), ("@name", name), ("@value", internalValue), ("@distribution", distribution.ToJson()));
        tx.Commit();
        return 0;
    });

    public void SetIntermediateValue(long trialId, int step, double value) => Use(c =>
    {
        using var tx = BeginWrite(c);
        Running(c, tx, trialId);
        Execute(c, tx, "INSERT INTO trial_values (trial_id, step, value) VALUES (@id, @step, @value) ON CONFLICT (trial_id, step) DO NOTHING",
            ("@id", trialId), ("@step", step), ("@value", double.IsNaN(value) ? null : value));
        tx.Commit();
        return 0;
    });

    public void SetAttribute(long trialId, string key, string value) => Use(c =>
    {
        using var tx = BeginWrite(c);
        State(c, tx, trialId);
        Execute(c, tx, "INSERT INTO trial_attrs (trial_id, key, value) VALUES (@id, @key, @value) ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value",
            ("@id", trialId), ("@key", key), ("@value", value));
        tx.Commit();
        return 0;
    });

    public void FinishTrial(long trialId, TrialState state, double? value) => Use(c =>
    {
        using var tx = BeginWrite(c);
        Running(c, tx, trialId);
        Execute(c, tx, $"UPDATE trials SET state = @state, value = @value, completed = {NowSql} WHERE id = @id",
            ("@id", trialId), ("@state", state.Name()), ("@value", value is { } v && double.IsNaN(v) ? null : value));
        tx.Commit();
        return 0;
    });

    public void Heartbeat(long trialId) => Use(c =>
    {
        using var tx = BeginWrite(c);
        State(c, tx, trialId);
        Execute(c, tx, $"UPDATE trials SET heartbeat = {NowSql} WHERE id = @id AND state = 'running'", ("@id", trialId));
        tx.Commit();
        return 0;
    });

    public IReadOnlyList<FrozenTrial> FailStaleTrials(long studyId, TimeSpan grace) => Use(c =>
    {
        using var tx = BeginWrite(c);
        LockStudy(c, tx, studyId);
        var stale = new List<long>();
        using (var cmd = Command(c, tx, $"SELECT id FROM trials WHERE study_id = @study AND state = 'running' AND heartbeat < {CutoffSql} ORDER BY number{ForUpdate}", ("@study", studyId)))
        {
            BindTimes(cmd, grace);
            using var r = cmd.ExecuteReader();
            while (r.Read()) stale.Add(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        }
        var failed = new List<FrozenTrial>();
        foreach (var id in stale)
        {
            Execute(c, tx, $"UPDATE trials SET state = 'fail', completed = {NowSql} WHERE id = @id", ("@id", id));
            Execute(c, tx, "INSERT INTO trial_attrs (trial_id, key, value) VALUES (@id, 'fail_reason', 'no heartbeat') ON CONFLICT (trial_id, key) DO UPDATE SET value = excluded.value", ("@id", id));
            var trial = Load(c, tx, id);
            Enqueue(c, tx, studyId, trial.Params, trial.Distributions,
                new Dictionary<string, string> { ["retry_of"] = trial.Number.ToString(CultureInfo.InvariantCulture) });
            failed.Add(trial);
        }
        tx.Commit();
        return (IReadOnlyList<FrozenTrial>)failed;
    });

    public IReadOnlyList<FrozenTrial> Trials(long studyId) => Use(c =>
    {
        using var tx = BeginRead(c);
        var trials = Read(c, tx, "t.study_id = @key", studyId);
        tx.Commit();
        return (IReadOnlyList<FrozenTrial>)trials;
    });

    public FrozenTrial Trial(long trialId) => Use(c =>
    {
        using var tx = BeginRead(c);
        var trial = Load(c, tx, trialId);
        tx.Commit();
        return trial;
    });

    private FrozenTrial Load(DbConnection c, DbTransaction? tx, long trialId) =>
        Read(c, tx, "t.id = @key", trialId).SingleOrDefault() ?? throw new ArgumentException($"There is no trial with id {trialId}.");

    /// <summary>The trials that <paramref name="where"/> picks (on trials t, with @key), with their parameters, values and attributes.</summary>
    private List<FrozenTrial> Read(DbConnection c, DbTransaction? tx, string where, long key)
    {
        var rows = new List<Row>();
        var byId = new Dictionary<long, Row>();
        using (var cmd = Command(c, tx, $"SELECT {string.Join(", ", TrialColumns.Split(", ").Select(x => "t." + x))} FROM trials t WHERE {where} ORDER BY t.number", ("@key", key)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var row = new Row(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture), TrialStates.Parse(r.GetString(2)),
                    r.IsDBNull(3) ? null : r.GetDouble(3), r.IsDBNull(4) ? null : r.GetString(4), ReadTime(r, 5), ReadTime(r, 6), ReadTime(r, 7));
                rows.Add(row);
                byId[row.Id] = row;
            }
        if (rows.Count == 0) return [];
        using (var cmd = Command(c, tx, $"SELECT p.trial_id, p.name, p.value, p.distribution FROM trial_params p JOIN trials t ON t.id = p.trial_id WHERE {where}", ("@key", key)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var row = byId[Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture)];
                row.Params[r.GetString(1)] = r.GetDouble(2);
                row.Distributions[r.GetString(1)] = Distribution.FromJson(r.GetString(3));
            }
        using (var cmd = Command(c, tx, $"SELECT v.trial_id, v.step, v.value FROM trial_values v JOIN trials t ON t.id = v.trial_id WHERE {where}", ("@key", key)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                byId[Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture)].Intermediate[Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture)] = r.IsDBNull(2) ? double.NaN : r.GetDouble(2);
        using (var cmd = Command(c, tx, $"SELECT a.trial_id, a.key, a.value FROM trial_attrs a JOIN trials t ON t.id = a.trial_id WHERE {where}", ("@key", key)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                byId[Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture)].Attributes[r.GetString(1)] = r.GetString(2);
        return rows.Select(x => x.Freeze()).ToList();
    }

    /// <summary>The trial's state (ArgumentException when there is none), locked where rows can be.</summary>
    private (TrialState State, int Number) State(DbConnection c, DbTransaction tx, long trialId)
    {
        using var cmd = Command(c, tx, $"SELECT state, number FROM trials WHERE id = @id{ForUpdate}", ("@id", trialId));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new ArgumentException($"There is no trial with id {trialId}.");
        return (TrialStates.Parse(r.GetString(0)), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>The number of the running trial; InvalidOperationException when it is not running.</summary>
    private int Running(DbConnection c, DbTransaction tx, long trialId)
    {
        var (state, number) = State(c, tx, trialId);
        return state == TrialState.Running ? number
            : throw new InvalidOperationException($"Trial {number} is {state.Name()}, not running: {(state == TrialState.Fail ? "another worker declared it dead" : "it has ended")}.");
    }

    private int Count(DbConnection c, DbTransaction tx, string sql, long studyId) =>
        Convert.ToInt32(Scalar(c, tx, sql, ("@study", studyId)), CultureInfo.InvariantCulture);

    private protected DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        BindTimes(cmd, TimeSpan.Zero);
        return cmd;
    }

    private protected int Execute(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    private protected object? Scalar(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        var value = cmd.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public abstract void Dispose();

    private sealed record Row(long Id, int Number, TrialState State, double? Value, string? Worker, DateTime? Started, DateTime? Completed, DateTime? Heartbeat)
    {
        public readonly Dictionary<string, double> Params = [];
        public readonly Dictionary<string, Distribution> Distributions = [];
        public readonly SortedDictionary<int, double> Intermediate = [];
        public readonly Dictionary<string, string> Attributes = [];

        public FrozenTrial Freeze() => new(Id, Number, State, Value, Started, Completed, Params, Distributions, Intermediate, Attributes, Worker, Heartbeat);
    }
}
