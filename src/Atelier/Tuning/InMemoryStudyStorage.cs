using System.Globalization;

namespace Atelier.Tuning;

/// <summary>Studies in this process's memory (Optuna's InMemoryStorage): for library users and tests; threads may share it.</summary>
public sealed class InMemoryStudyStorage : IStudyStorage
{
    private readonly object gate = new();
    private readonly List<StudyRecord> studies = [];
    private readonly List<MutableTrial> trials = [];

    /// <summary>The clock the storage stamps trials with; tests move it to make heartbeats go stale.</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    public string Describe => "memory";

    public StudyRecord CreateOrLoadStudy(string name, StudyDirection direction, string? definition)
    {
        lock (gate)
        {
            if (studies.Find(s => s.Name == name) is { } found) return found;
            var record = new StudyRecord(studies.Count + 1, name, direction, definition, Clock());
            studies.Add(record);
            return record;
        }
    }

    public StudyRecord? FindStudy(string name)
    {
        lock (gate) return studies.Find(s => s.Name == name);
    }

    public IReadOnlyList<StudyRecord> Studies()
    {
        lock (gate) return [.. studies];
    }

    public FrozenTrial? ClaimTrial(long studyId, string worker, int? maxTrials)
    {
        lock (gate)
        {
            var now = Clock();
            var of = trials.Where(t => t.StudyId == studyId).ToList();
            if (of.Where(t => t.State == TrialState.Waiting).MinBy(t => t.Number) is { } waiting)
            {
                waiting.State = TrialState.Running;
                (waiting.Worker, waiting.Started, waiting.Heartbeat) = (worker, now, now);
                return waiting.Freeze();
            }
            if (maxTrials is { } max && of.Count(t => t.State != TrialState.Fail) >= max) return null;
            var trial = New(studyId, of.Count, TrialState.Running);
            (trial.Worker, trial.Started, trial.Heartbeat) = (worker, now, now);
            return trial.Freeze();
        }
    }

    public FrozenTrial EnqueueTrial(long studyId, IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, Distribution> distributions, IReadOnlyDictionary<string, string>? attributes = null)
    {
        lock (gate)
        {
            var trial = New(studyId, trials.Count(t => t.StudyId == studyId), TrialState.Waiting);
            foreach (var (name, value) in parameters) (trial.Params[name], trial.Distributions[name]) = (value, distributions[name]);
            foreach (var (key, value) in attributes ?? new Dictionary<string, string>()) trial.Attributes[key] = value;
            return trial.Freeze();
        }
    }

    private MutableTrial New(long studyId, int number, TrialState state)
    {
        var trial = new MutableTrial { Id = trials.Count + 1, StudyId = studyId, Number = number, State = state };
        trials.Add(trial);
        return trial;
    }

    public void SetParam(long trialId, string name, double internalValue, Distribution distribution)
    {
        lock (gate)
        {
            var trial = Running(trialId);
            if (trial.Params.TryGetValue(name, out var old) && old != internalValue)
                throw new InvalidOperationException($"Trial {trial.Number} already has {name} = {trial.Distributions[name].Format(old)}.");
            (trial.Params[name], trial.Distributions[name]) = (internalValue, distribution);
        }
    }

    public void SetIntermediateValue(long trialId, int step, double value)
    {
        lock (gate) Running(trialId).Intermediate.TryAdd(step, value);
    }

    public void SetAttribute(long trialId, string key, string value)
    {
        lock (gate) Get(trialId).Attributes[key] = value;
    }

    public void FinishTrial(long trialId, TrialState state, double? value)
    {
        lock (gate)
        {
            var trial = Running(trialId);
            (trial.State, trial.Value, trial.Completed) = (state, value, Clock());
        }
    }

    public void Heartbeat(long trialId)
    {
        lock (gate)
        {
            var trial = Get(trialId);
            if (trial.State == TrialState.Running) trial.Heartbeat = Clock();
        }
    }

    public IReadOnlyList<FrozenTrial> FailStaleTrials(long studyId, TimeSpan grace)
    {
        lock (gate)
        {
            var now = Clock();
            var stale = trials.Where(t => t.StudyId == studyId && t.State == TrialState.Running && now - t.Heartbeat > grace).ToList();
            foreach (var trial in stale)
            {
                (trial.State, trial.Completed) = (TrialState.Fail, now);
                trial.Attributes["fail_reason"] = "no heartbeat";
                EnqueueTrial(studyId, trial.Params, trial.Distributions,
                    new Dictionary<string, string> { ["retry_of"] = trial.Number.ToString(CultureInfo.InvariantCulture) });
            }
            return stale.Select(t => t.Freeze()).ToList();
        }
    }

    public IReadOnlyList<FrozenTrial> Trials(long studyId)
    {
        lock (gate) return trials.Where(t => t.StudyId == studyId).OrderBy(t => t.Number).Select(t => t.Freeze()).ToList();
    }

    public FrozenTrial Trial(long trialId)
    {
        lock (gate) return Get(trialId).Freeze();
    }

    private MutableTrial Get(long trialId) =>
        trials.Find(t => t.Id == trialId) ?? throw new ArgumentException($"There is no trial with id {trialId}.");

    private MutableTrial Running(long trialId)
    {
        var trial = Get(trialId);
        return trial.State == TrialState.Running ? trial
            : throw new InvalidOperationException($"Trial {trial.Number} is {trial.State.Name()}, not running: {(trial.State == TrialState.Fail ? "another worker declared it dead" : "it has ended")}.");
    }

    public void Dispose()
    {
    }

    private sealed class MutableTrial
    {
        public long Id, StudyId;
        public int Number;
        public TrialState State;
        public double? Value;
        public DateTime? Started, Completed, Heartbeat;
        public string? Worker;
        public readonly Dictionary<string, double> Params = [];
        public readonly Dictionary<string, Distribution> Distributions = [];
        public readonly SortedDictionary<int, double> Intermediate = [];
        public readonly Dictionary<string, string> Attributes = [];

        public FrozenTrial Freeze() => new(Id, Number, State, Value, Started, Completed, new Dictionary<string, double>(Params),
            new Dictionary<string, Distribution>(Distributions), new SortedDictionary<int, double>(Intermediate),
            new Dictionary<string, string>(Attributes), Worker, Heartbeat);
    }
}
