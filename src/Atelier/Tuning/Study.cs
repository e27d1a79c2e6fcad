using System.Diagnostics;

namespace Atelier.Tuning;

/// <summary>How a call to <see cref="Study.Optimize"/> ended.</summary>
/// <param name="Trials">the trials this worker ran, in order.</param>
/// <param name="Stopped">why it stopped: "trials" (the study has its number), "timeout", "failures".</param>
public sealed record OptimizeResult(IReadOnlyList<FrozenTrial> Trials, string Stopped);

/// <summary>
/// A study, after Optuna's: a name, a direction, a storage, a sampler and a pruner. <see cref="Ask"/> and
/// <see cref="Tell(Trial, double)"/> underneath; <see cref="Optimize"/> on top runs an objective until the study has its
/// number of finished trials, with a heartbeat for the running trial and retries for trials whose worker died.
/// Several workers (threads, processes, machines) may optimize one study through one storage.
/// </summary>
public sealed class Study
{
    private Study(StudyRecord record, IStudyStorage storage, ISampler sampler, IPruner pruner)
    {
        Record = record;
        Storage = storage;
        Sampler = sampler;
        Pruner = pruner;
    }

    /// <summary>
    /// Creates the study in <paramref name="storage"/> or joins it. Throws ArgumentException when it exists with the
    /// other direction, or with another non-null definition.
    /// </summary>
    public static Study CreateOrLoad(string name, IStudyStorage storage, StudyDirection direction = StudyDirection.Minimize,
        ISampler? sampler = null, IPruner? pruner = null, string? definition = null)
    {
        var record = storage.CreateOrLoadStudy(name, direction, definition);
        if (record.Direction != direction)
            throw new ArgumentException($"Study '{name}' in {storage.Describe} is to {record.Direction.ToString().ToLowerInvariant()} its objective, not {direction.ToString().ToLowerInvariant()} it.");
        if (definition is not null && record.Definition is not null && record.Definition != definition)
            throw new ArgumentException($"Study '{name}' in {storage.Describe} was made from another definition.");
        return new Study(record, storage, sampler ?? new RandomSampler(), pruner ?? new NopPruner());
    }

    public StudyRecord Record { get; }
    public string Name => Record.Name;
    public StudyDirection Direction => Record.Direction;
    public IStudyStorage Storage { get; }
    public ISampler Sampler { get; }
    public IPruner Pruner { get; }

    /// <summary>Who runs this process's trials: "host:pid", shown in `atelier trials` and the timeline.</summary>
    public string Worker { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>How often a running trial says it is alive; a trial silent for twice as long is declared dead (Optuna's grace period).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan GracePeriod => 2 * HeartbeatInterval;

    public IReadOnlyList<FrozenTrial> Trials => Storage.Trials(Record.Id);

    /// <summary>The best complete trial, or null when none is complete.</summary>
    public FrozenTrial? BestTrial => Best(Trials, Direction);

    public static FrozenTrial? Best(IEnumerable<FrozenTrial> trials, StudyDirection direction)
    {
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v));
        return direction == StudyDirection.Maximize ? complete.MaxBy(t => t.Value) : complete.MinBy(t => t.Value);
    }

    public StudyView View() => new(Record, Trials);

    /// <summary>Claims a trial (a waiting one first); null when the study already has <paramref name="maxTrials"/> waiting, running or finished trials.</summary>
    public Trial? Ask(int? maxTrials = null)
    {
        var claimed = Storage.ClaimTrial(Record.Id, Worker, maxTrials);
        return claimed is null ? null : new Trial(this, claimed, View());
    }

    /// <summary>Adds a trial with fixed parameters that the next <see cref="Ask"/> of any worker takes first.</summary>
    public FrozenTrial Enqueue(IReadOnlyDictionary<string, double> parameters, IReadOnlyDictionary<string, Distribution> distributions) =>
        Storage.EnqueueTrial(Record.Id, parameters, distributions);

    /// <summary>Ends the trial complete with <paramref name="value"/>; a NaN or infinite value fails it, as in Optuna.</summary>
    public FrozenTrial Tell(Trial trial, double value) =>
        double.IsFinite(value) ? Tell(trial, TrialState.Complete, value) : Tell(trial, TrialState.Fail);

    /// <summary>Ends the trial: pruned keeps its last intermediate value as its value.</summary>
    public FrozenTrial Tell(Trial trial, TrialState state, double? value = null)
    {
        if (state is TrialState.Waiting or TrialState.Running) throw new ArgumentException($"A trial is told it ended, not that it is {state.Name()}.");
        if (state == TrialState.Pruned && value is null && trial.IntermediateValues.Count > 0)
            value = trial.IntermediateValues[trial.IntermediateValues.Keys.Max()];
        Storage.FinishTrial(trial.Id, state, state == TrialState.Fail ? null : value);
        return Storage.Trial(trial.Id);
    }

    /// <summary>
    /// Runs <paramref name="objective"/> until the study has <paramref name="trials"/> finished trials in total (null: no
    /// limit), <paramref name="timeout"/> has passed (checked before each trial), or this worker has had
    /// <paramref name="trials"/> failed trials. A trial whose objective throws <see cref="TrialPrunedException"/> ends
    /// pruned; one that returns NaN fails and the study goes on; any other exception fails the trial and is rethrown
    /// (Optuna's default); a cancelled one fails and is enqueued again, so its parameters are not lost. When the
    /// budget is taken but other workers' trials still run, it waits for them, and retries those whose worker died.
    /// </summary>
    public OptimizeResult Optimize(Func<Trial, double> objective, int? trials = null, TimeSpan? timeout = null,
        CancellationToken cancel = default, Action<FrozenTrial>? finished = null, Action<Trial>? started = null)
    {
        if (trials is < 1) throw new ArgumentOutOfRangeException(nameof(trials), trials, "A study needs at least one trial.");
        var clock = Stopwatch.StartNew();
        var ran = new List<FrozenTrial>();
        int failures = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            if (timeout is { } t && clock.Elapsed >= t) return new OptimizeResult(ran, "timeout");
            if (trials is { } n && failures >= n) return new OptimizeResult(ran, "failures");
            Storage.FailStaleTrials(Record.Id, GracePeriod);
            var trial = Ask(trials);
            if (trial is null)
            {
                if (!Trials.Any(x => x.State is TrialState.Running or TrialState.Waiting)) return new OptimizeResult(ran, "trials");
                // Others are still at it: wait, so a trial whose worker dies is retried here.
                cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Min(1, HeartbeatInterval.TotalSeconds)));
                continue;
            }
            started?.Invoke(trial);
            var result = RunOne(trial, objective, cancel);
            ran.Add(result);
            if (result.State == TrialState.Fail) failures++;
            finished?.Invoke(result);
        }
    }

    private FrozenTrial RunOne(Trial trial, Func<Trial, double> objective, CancellationToken cancel)
    {
        double value;
        try
        {
            // The heartbeat stops (the using ends) before the trial is told how it ended, whichever way it ends.
            using (new Timer(_ => Beat(trial), null, TimeSpan.Zero, HeartbeatInterval))
                value = objective(trial);
        }
        catch (TrialPrunedException)
        {
            return Tell(trial, TrialState.Pruned);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Tell(trial, TrialState.Fail);
            Storage.EnqueueTrial(Record.Id, trial.Params, trial.Distributions, new Dictionary<string, string> { ["retry_of"] = trial.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            throw;
        }
        catch
        {
            Tell(trial, TrialState.Fail);
            throw;
        }
        return Tell(trial, value);
    }

    private void Beat(Trial trial)
    {
        // A missed beat is not worth killing the trial over: the next one will do, and the grace period is two beats.
        try
        {
            Storage.Heartbeat(trial.Id);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
        }
    }
}
