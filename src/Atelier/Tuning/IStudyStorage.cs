namespace Atelier.Tuning;

/// <summary>
/// A study as the storage holds it. Its definition is what the study was made from (for `atelier tune`: its space and
/// objective as JSON), so a worker that joins with another definition can be refused; null when the creator gave none.
/// </summary>
public sealed record StudyRecord(long Id, string Name, StudyDirection Direction, string? Definition, DateTime Created);

/// <summary>
/// Where studies and trials live (SQLite, PostgreSQL, memory). All concurrency lives here: every method is one short
/// transaction, safe to call from several threads and several processes on one study. Trial numbers are unique and
/// gap-free per study.
/// </summary>
public interface IStudyStorage : IDisposable
{
    /// <summary>"sqlite:///runs/tuning.db", "postgresql://user@host:5432/db", "memory": for messages.</summary>
    string Describe { get; }

    /// <summary>
    /// Creates the study, or returns it as stored when it exists. A study that exists with another direction or
    /// definition is returned as stored: the caller compares and refuses.
    /// </summary>
    StudyRecord CreateOrLoadStudy(string name, StudyDirection direction, string? definition);

    StudyRecord? FindStudy(string name);

    IReadOnlyList<StudyRecord> Studies();

    /// <summary>
    /// Claims the next trial for <paramref name="worker"/>, in one transaction: the oldest waiting trial if there is
    /// one (it keeps its number and fixed parameters), otherwise a new running trial numbered after the last, but only
    /// while fewer than <paramref name="maxTrials"/> trials are waiting, running or finished (null: no limit). Returns
    /// null when the budget is taken.
    /// </summary>
    FrozenTrial? ClaimTrial(long studyId, string worker, int? maxTrials);

    /// <summary>Adds a waiting trial with fixed parameters (Optuna's enqueue_trial), numbered after the last.</summary>
    FrozenTrial EnqueueTrial(long studyId, IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, Distribution> distributions, IReadOnlyDictionary<string, string>? attributes = null);

    /// <summary>Records a sampled parameter of a running trial. A trial keeps one value per name: setting it again with another value throws.</summary>
    void SetParam(long trialId, string name, double internalValue, Distribution distribution);

    void SetIntermediateValue(long trialId, int step, double value);

    void SetAttribute(long trialId, string key, string value);

    /// <summary>
    /// Ends a running trial (complete with its value, pruned with its last value or null, fail). Throws
    /// InvalidOperationException when the trial is not running any more (another worker declared it dead).
    /// </summary>
    void FinishTrial(long trialId, TrialState state, double? value);

    /// <summary>Says the running trial's worker is alive.</summary>
    void Heartbeat(long trialId);

    /// <summary>
    /// Marks failed every running trial of the study whose last heartbeat is older than <paramref name="grace"/>, and
    /// for each enqueues a waiting trial with its parameters (attribute "retry_of" = the failed number), in one
    /// transaction so that two workers never retry the same trial twice. Returns the trials it failed.
    /// </summary>
    IReadOnlyList<FrozenTrial> FailStaleTrials(long studyId, TimeSpan grace);

    IReadOnlyList<FrozenTrial> Trials(long studyId);

    FrozenTrial Trial(long trialId);
}
