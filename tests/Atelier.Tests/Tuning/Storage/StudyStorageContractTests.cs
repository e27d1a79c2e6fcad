using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning.Storage;

/// <summary>
/// The contract of <see cref="IStudyStorage"/>, run against every storage: memory, SQLite, and PostgreSQL where a test
/// server is named (see <see cref="PostgresTestServer"/>). Each test has its own study (its own file for SQLite), so
/// tests may run in parallel on one database.
/// </summary>
public sealed class StudyStorageContractTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "atelier-storage-" + Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> opened = [];
    private readonly InMemoryStudyStorage memory = new();
    private readonly string study = "s-" + Guid.NewGuid().ToString("N");

    public static TheoryData<string> Kinds()
    {
        var kinds = new TheoryData<string> { "memory", "sqlite" };
        if (PostgresTestServer.Runs) kinds.Add("postgres");
        return kinds;
    }

    /// <summary>A new instance on the test's store (memory: the one instance, as threads share it).</summary>
    private IStudyStorage Open(string kind, bool readOnly = false)
    {
        IStudyStorage storage = kind switch
        {
            "memory" => memory,
            "sqlite" => new SqliteStudyStorage(Path.Combine(folder, "tuning.db"), readOnly),
            "postgres" => new PostgresStudyStorage(PostgresTestServer.Require(), readOnly),
            _ => throw new ArgumentException(kind),
        };
        lock (opened) opened.Add(storage);
        return storage;
    }

    public void Dispose()
    {
        foreach (var s in opened) s.Dispose();
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static readonly FloatDistribution Lr = new(1e-5, 1e-1, log: true);

    [Theory, MemberData(nameof(Kinds))]
    public void A_study_is_created_once_and_loaded_as_stored(string kind)
    {
        var storage = Open(kind);
        Assert.Null(storage.FindStudy(study));
        var made = storage.CreateOrLoadStudy(study, StudyDirection.Maximize, "{\"space\":1}");
        var again = Open(kind).CreateOrLoadStudy(study, StudyDirection.Minimize, "other");
        Assert.Equal(made.Id, again.Id);
        Assert.Equal(StudyDirection.Maximize, again.Direction);
        Assert.Equal("{\"space\":1}", again.Definition);
        Assert.Equal(made, storage.FindStudy(study));
        Assert.Contains(storage.Studies(), s => s.Name == study);
        Assert.Null(storage.CreateOrLoadStudy(study + "-plain", StudyDirection.Minimize, null).Definition);
        Assert.Equal(DateTimeKind.Utc, made.Created.Kind);
        Assert.InRange(made.Created, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Claims_stop_at_the_budget_and_a_failed_trial_frees_its_place(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var claimed = Enumerable.Range(0, 3).Select(_ => storage.ClaimTrial(id, "w1", 3)!).ToList();
        Assert.Equal([0, 1, 2], claimed.Select(t => t.Number));
        Assert.All(claimed, t => Assert.Equal((TrialState.Running, "w1"), (t.State, t.Worker)));
        Assert.Null(storage.ClaimTrial(id, "w1", 3));
        storage.FinishTrial(claimed[1].Id, TrialState.Fail, null);
        Assert.Equal(3, storage.ClaimTrial(id, "w2", 3)!.Number);
        Assert.Null(storage.ClaimTrial(id, "w2", 3));
        Assert.Equal(4, storage.ClaimTrial(id, "w2", null)!.Number);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_waiting_trial_is_claimed_first_with_its_number_and_parameters(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        storage.ClaimTrial(id, "w", null);
        var queued = storage.EnqueueTrial(id, new Dictionary<string, double> { ["lr"] = 0.01 }, new Dictionary<string, Distribution> { ["lr"] = Lr },
            new Dictionary<string, string> { ["note"] = "mine" });
        Assert.Equal((1, TrialState.Waiting), (queued.Number, queued.State));
        Assert.Null(queued.Started);
        // Budget 2 is taken (one running, one waiting), but the waiting trial is still claimed.
        var claimed = storage.ClaimTrial(Open(kind).CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id, "w2", 2)!;
        Assert.Equal((queued.Id, 1, TrialState.Running, "w2"), (claimed.Id, claimed.Number, claimed.State, claimed.Worker));
        Assert.Equal(0.01, claimed.Params["lr"]);
        Assert.Equal(Lr, claimed.Distributions["lr"]);
        Assert.Equal("mine", claimed.Attributes["note"]);
        Assert.NotNull(claimed.Started);
        Assert.Null(storage.ClaimTrial(id, "w", 2));
        Assert.Equal(2, storage.ClaimTrial(id, "w", null)!.Number);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_parameter_keeps_its_first_value(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var trial = storage.ClaimTrial(id, "w", null)!;
        var optimizer = new CategoricalDistribution(["adam", "sgd"]);
        storage.SetParam(trial.Id, "opt", 1, optimizer);
        storage.SetParam(trial.Id, "opt", 1, optimizer);
        var e = Assert.Throws<InvalidOperationException>(() => storage.SetParam(trial.Id, "opt", 0, optimizer));
        Assert.Contains("opt = sgd", e.Message);
        Assert.Equal("sgd", storage.Trial(trial.Id).Param("opt"));
        Assert.Throws<ArgumentException>(() => storage.Trial(987654321));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Intermediate_values_and_attributes_are_kept(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var trial = storage.ClaimTrial(id, "w", null)!;
        storage.SetIntermediateValue(trial.Id, 0, 0.9);
        storage.SetIntermediateValue(trial.Id, 2, 0.5);
        storage.SetIntermediateValue(trial.Id, 2, 0.1);
        storage.SetAttribute(trial.Id, "k", "a");
        storage.SetAttribute(trial.Id, "k", "b");
        storage.FinishTrial(trial.Id, TrialState.Pruned, 0.5);
        storage.SetAttribute(trial.Id, "after", "yes");
        var read = Open(kind).Trial(trial.Id);
        Assert.Equal(new Dictionary<int, double> { [0] = 0.9, [2] = 0.5 }, read.IntermediateValues);
        Assert.Equal(2, read.LastStep);
        Assert.Equal(new Dictionary<string, string> { ["k"] = "b", ["after"] = "yes" }, read.Attributes);
        Assert.Equal((TrialState.Pruned, 0.5), (read.State, read.Value));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Only_a_running_trial_can_be_finished_or_changed(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var trial = storage.ClaimTrial(id, "w", null)!;
        storage.FinishTrial(trial.Id, TrialState.Complete, 1.5);
        var done = storage.Trial(trial.Id);
        Assert.Equal((TrialState.Complete, 1.5), (done.State, done.Value));
        Assert.NotNull(done.Completed);
        Assert.Contains("not running", Assert.Throws<InvalidOperationException>(() => storage.FinishTrial(trial.Id, TrialState.Complete, 2)).Message);
        Assert.Throws<InvalidOperationException>(() => storage.SetParam(trial.Id, "lr", 0.01, Lr));
        Assert.Throws<InvalidOperationException>(() => storage.SetIntermediateValue(trial.Id, 1, 0.3));
        storage.Heartbeat(trial.Id);
        Assert.Equal(1.5, storage.Trial(trial.Id).Value);
        var queued = storage.EnqueueTrial(id, new Dictionary<string, double>(), new Dictionary<string, Distribution>());
        Assert.Throws<InvalidOperationException>(() => storage.FinishTrial(queued.Id, TrialState.Complete, 1));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_silent_trial_is_failed_once_and_retried_with_its_parameters(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var dead = storage.ClaimTrial(id, "dead", null)!;
        storage.SetParam(dead.Id, "lr", 0.001, Lr);
        var done = storage.ClaimTrial(id, "w", null)!;
        storage.FinishTrial(done.Id, TrialState.Complete, 1);
        Thread.Sleep(50);
        Assert.Empty(storage.FailStaleTrials(id, TimeSpan.FromHours(1)));
        var other = Open(kind);
        var alive = storage.ClaimTrial(id, "alive", null)!;
        // Wide margins: "alive" would be failed too if more than a grace period passed between its heartbeat and the checks (a loaded CI machine).
        var grace = TimeSpan.FromSeconds(1.5);
        Thread.Sleep(grace + TimeSpan.FromMilliseconds(300));
        storage.Heartbeat(alive.Id);
        var failed = Assert.Single(other.FailStaleTrials(id, grace));
        Assert.Equal((dead.Id, TrialState.Fail, "no heartbeat"), (failed.Id, failed.State, failed.Attributes["fail_reason"]));
        Assert.NotNull(failed.Completed);
        Assert.DoesNotContain(storage.FailStaleTrials(id, grace), t => t.Id == dead.Id);
        var trials = storage.Trials(id);
        var retry = Assert.Single(trials, t => t.State == TrialState.Waiting);
        Assert.Equal((3, "0", 0.001), (retry.Number, retry.Attributes["retry_of"], retry.Params["lr"]));
        Assert.Equal(Lr, retry.Distributions["lr"]);
        Assert.Contains("another worker declared it dead", Assert.Throws<InvalidOperationException>(() => storage.FinishTrial(dead.Id, TrialState.Complete, 0)).Message);
        Assert.Equal(retry.Id, storage.ClaimTrial(id, "w", null)!.Id);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Distributions_values_and_times_round_trip(string kind)
    {
        var storage = Open(kind);
        var id = storage.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var before = DateTime.UtcNow.AddSeconds(-5);
        var trial = storage.ClaimTrial(id, "host:1", null)!;
        var distributions = new Dictionary<string, Distribution>
        {
            ["lr"] = Lr,
            ["dropout"] = new FloatDistribution(0, 0.5, step: 0.1),
            ["width"] = new IntDistribution(16, 256, log: true),
            ["depth"] = new IntDistribution(1, 9, step: 2),
            ["opt"] = new CategoricalDistribution(["adam", "sgd", "a \"quoted\" one"]),
        };
        var values = new Dictionary<string, double> { ["lr"] = 1.0 / 3 * 1e-3, ["dropout"] = 0.30000000000000004, ["width"] = 64, ["depth"] = 5, ["opt"] = 2 };
        foreach (var (name, d) in distributions) storage.SetParam(trial.Id, name, values[name], d);
        storage.FinishTrial(trial.Id, TrialState.Complete, Math.PI);
        var read = Open(kind).Trials(id).Single();
        Assert.Equal(values, read.Params);
        Assert.Equal(distributions, read.Distributions);
        Assert.Equal("a \"quoted\" one", read.Param("opt"));
        Assert.Equal(Math.PI, read.Value);
        Assert.Equal("host:1", read.Worker);
        foreach (var time in new[] { read.Started, read.Completed, read.Heartbeat })
        {
            Assert.Equal(DateTimeKind.Utc, time!.Value.Kind);
            Assert.InRange(time.Value, before, DateTime.UtcNow.AddSeconds(5));
        }
        Assert.True(read.Completed >= read.Started);
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Workers_on_separate_instances_number_trials_without_gaps(string kind)
    {
        var id = Open(kind).CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var storage = Open(kind);
            var mine = new List<int>();
            while (storage.ClaimTrial(id, $"w{w}", 40) is { } trial)
            {
                storage.SetParam(trial.Id, "lr", 0.01, Lr);
                storage.SetIntermediateValue(trial.Id, 0, trial.Number);
                storage.FinishTrial(trial.Id, TrialState.Complete, trial.Number);
                mine.Add(trial.Number);
            }
            return mine;
        })).ToArray();
        var numbers = await Task.WhenAll(workers);
        Assert.Equal(Enumerable.Range(0, 40), numbers.SelectMany(n => n).Order());
        var trials = Open(kind).Trials(id);
        Assert.Equal(Enumerable.Range(0, 40), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal((TrialState.Complete, (double)t.Number), (t.State, t.Value!.Value)));
    }

    [Theory, MemberData(nameof(Kinds))]
    public async Task Four_workers_optimize_one_study_to_forty_trials(string kind)
    {
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var s = Study.CreateOrLoad(study, Open(kind), sampler: new RandomSampler(w));
            return s.Optimize(t => Math.Pow(t.SuggestFloat("x", -10, 10), 2) + t.SuggestInt("y", -3, 3), trials: 40).Trials.Count;
        })).ToArray();
        Assert.Equal(40, (await Task.WhenAll(workers)).Sum());
        var trials = Open(kind).Trials(Open(kind).FindStudy(study)!.Id);
        Assert.Equal(Enumerable.Range(0, 40), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.All(trials, t => Assert.Equal(2, t.Params.Count));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void A_read_only_storage_reads_and_never_writes(string kind)
    {
        if (kind == "postgres" && !PostgresTestServer.Runs) return;
        if (kind == "sqlite")
            Assert.Throws<FileNotFoundException>(() => new SqliteStudyStorage(Path.Combine(folder, "tuning.db"), readOnly: true));
        var writer = Open(kind);
        var id = writer.CreateOrLoadStudy(study, StudyDirection.Minimize, null).Id;
        writer.FinishTrial(writer.ClaimTrial(id, "w", null)!.Id, TrialState.Complete, 2);
        var reader = Open(kind, readOnly: true);
        Assert.Equal(2, reader.Trials(reader.FindStudy(study)!.Id).Single().Value);
        Assert.ThrowsAny<Exception>(() => reader.ClaimTrial(id, "r", null));
        Assert.ThrowsAny<Exception>(() => reader.CreateOrLoadStudy(study + "-new", StudyDirection.Minimize, null));
        Assert.Single(writer.Trials(id));
    }
}
