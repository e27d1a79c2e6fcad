using System.Diagnostics;
using System.Text.Json;
using Atelier.Experiments;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Cli;

/// <summary>
/// The run store under concurrency and faults, through the real program: every run gets its own folder and one row
/// for its whole life, a dead run reads interrupted, and `atelier runs` shows it all.
/// </summary>
public sealed class RunRecordsTests
{
    private static readonly string[] Tiny = ["--model", "mlp", "--epochs", "1", "--train-size", "600", "--val-size", "100", "--test-size", "200", "--augment", "false", "--threads", "1"];

    /// <summary>A 12-epoch mlp run sent SIGTERM when epoch 1 ends (epochs enough that the signal arrives before the run ends); its folder.</summary>
    private static string StoppedAfterFirstEpoch(string output, int trainSize)
    {
        string[] args = ["train", "--model", "mlp", "--output", output, "--epochs", "12", "--train-size", trainSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--val-size", "500", "--test-size", "500", "--threads", "1"];
        var stopped = CliRunner.Run(args, line => line.StartsWith("epoch   1", StringComparison.Ordinal), "TERM");
        Assert.Equal(143, stopped.ExitCode);
        return Directory.GetDirectories(output).Single();
    }

    private static List<RunRecord> Rows(string output)
    {
        using var store = new RunStore(Path.Combine(output, "atelier.db"), readOnly: true);
        return store.Runs();
    }

    [Fact]
    public void Eight_trainings_started_at_once_into_one_output_get_eight_folders_and_eight_finished_rows()
    {
        string output = TestData.TempDirectory();
        foreach (var r in CliRunner.RunTogether(Enumerable.Range(0, 8).Select(_ => (string[])["train", "--output", output, .. Tiny])))
            Assert.True(r.ExitCode == 0, r.Output);
        var folders = Directory.GetDirectories(output);
        Assert.Equal(8, folders.Length);
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(f, RunFolder.ResultsJson)), $"{f} has no results"));
        var rows = Rows(output);
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal("finished", r.Status));
        Assert.Equal(8, rows.Select(r => r.Folder).Distinct().Count());
    }

    [Fact]
    public void Two_experiments_sharing_a_store_at_once_record_every_run()
    {
        string root = TestData.TempDirectory();
        string Spec(string name)
        {
            string path = Path.Combine(root, name + ".yaml");
            File.WriteAllText(path, $"""
                name: {name}
                base: {"{"} model: mlp, epochs: 1, train-size: 600, val-size: 100, test-size: 200, augment: false {"}"}
                grid:
                  lr: [0.001, 0.01]
                """);
            return path;
        }
        var specs = new[] { Spec("left"), Spec("right") };
        foreach (var r in CliRunner.RunTogether(specs.Select(spec => (string[])["experiment", spec, "--output", root, "--no-report", "--threads", "1"])))
            Assert.True(r.ExitCode == 0, r.Output);
        var rows = Rows(root);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal("finished", r.Status));
        Assert.Equal(["left", "left", "right", "right"], rows.Select(r => r.Experiment!).Order());
    }

    [Theory]
    [InlineData("id")]
    [InlineData("relative")]
    [InlineData("absolute")]
    [InlineData("trailing-slash")]
    public void A_resumed_run_keeps_its_one_id_and_one_row_however_it_is_named(string naming)
    {
        string output = TestData.TempDirectory();
        string folder = StoppedAfterFirstEpoch(output, trainSize: 3000);
        string id = Path.GetFileName(folder);
        Assert.Equal("interrupted", Rows(output).Single().Status);

        string relative = Path.GetRelativePath(Environment.CurrentDirectory, folder);
        string[] resume = naming switch
        {
            "id" => ["train", "--resume", id, "--output", output],
            "relative" => ["train", "--resume", relative],
            "absolute" => ["train", "--resume", folder],
            _ => ["train", "--resume", folder + "/"],
        };
        var resumed = CliRunner.Run(resume);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains($"Resuming {id} at epoch", resumed.Stdout);

        var row = Assert.Single(Rows(output));
        Assert.Equal(id, row.Id);
        Assert.Equal("finished", row.Status);
        Assert.Equal(12, row.Epochs);
        Assert.False(File.Exists(Path.Combine(folder, "atelier.db")), "a second store was made inside the run folder");
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, RunFolder.ResultsJson)));
        Assert.Equal(id, results.RootElement.GetProperty("run").GetString());

        // A finished run has nothing to resume: refused, and no stray row.
        var again = CliRunner.Run(resume);
        CliRunner.AssertOneSentenceError(again, "is finished", 1);
        Assert.Single(Rows(output));
    }

    [Fact]
    public void Resume_refuses_options_that_would_change_the_run_and_accepts_where_it_runs()
    {
        string output = TestData.TempDirectory();
        string folder = StoppedAfterFirstEpoch(output, trainSize: 2000);

        CliRunner.AssertOneSentenceError(CliRunner.Run("train", "--resume", folder, "--lr", "0.5"), "--lr 0.5 would change them", 2);
        var resumed = CliRunner.Run("train", "--resume", folder, "--threads", "2", "--model", "mlp");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
    }

    [Fact]
    public void A_run_killed_with_sigkill_reads_interrupted_and_resumes()
    {
        string output = TestData.TempDirectory();
        string[] args = ["train", "--model", "mlp", "--output", output, "--epochs", "50", "--train-size", "3000", "--val-size", "500", "--test-size", "500", "--threads", "1"];
        var killed = CliRunner.Run(args, line => line.StartsWith("epoch   2", StringComparison.Ordinal), "KILL");
        Assert.Equal(137, killed.ExitCode);
        var row = Assert.Single(Rows(output));
        Assert.Equal("interrupted", row.Status); // the store still says running; its process is gone

        var listed = CliRunner.Run("runs", "--output", output, "--json");
        Assert.True(listed.ExitCode == 0, listed.Output);
        using var json = JsonDocument.Parse(listed.Stdout);
        var run = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        Assert.Equal(row.Id, run.GetProperty("id").GetString());
        foreach (var field in new[] { "model", "experiment", "best_epoch", "test_accuracy", "started", "folder" })
            Assert.True(run.TryGetProperty(field, out _), $"`atelier runs --json` lacks '{field}'");

        var filtered = CliRunner.Run("runs", "--output", output, "--status", "running");
        Assert.Contains("No runs", filtered.Stdout);
    }

    [Fact]
    public void Sigterm_before_the_first_epoch_ends_says_nothing_is_saved_and_resume_starts_it_again()
    {
        string output = TestData.TempDirectory();
        string[] args = ["train", "--model", "mlp", "--output", output, "--epochs", "1", "--val-size", "500", "--test-size", "500", "--threads", "1"];
        var stopped = CliRunner.Run(args, line => line.StartsWith("Training mlp", StringComparison.Ordinal), "TERM");
        Assert.Equal(143, stopped.ExitCode);
        string error = stopped.Stderr.Trim();
        Assert.DoesNotContain("is saved after epoch", error);
        Assert.DoesNotContain("   at ", stopped.Output);
        if (Directory.GetDirectories(output).SingleOrDefault() is not { } folder)
        {
            Assert.Contains("no run was created", error); // the signal came before the run's folder was made
            return;
        }
        Assert.Contains("before the first epoch ended", error);
        Assert.Contains(Path.GetFileName(folder), error);
        var resumed = CliRunner.Run("train", "--resume", folder, "--train-size", "2000");
        Assert.True(resumed.ExitCode != 0, "--train-size is not safe to change on resume"); // it would change the run
        resumed = CliRunner.Run("train", "--resume", folder);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("from the start", resumed.Stdout);
        Assert.Equal("finished", Assert.Single(Rows(output)).Status);
    }

    [Fact]
    public void Liveness_tells_a_dead_process_and_a_silent_host_from_a_live_run()
    {
        var now = DateTime.UtcNow;
        Assert.True(RunLiveness.IsAlive(RunLiveness.Host, Environment.ProcessId, RunLiveness.ThisProcessStarted, now, now));
        // Our own id, but a process that started at another time: the id was reused, the run is gone.
        Assert.False(RunLiveness.IsAlive(RunLiveness.Host, Environment.ProcessId, RunLiveness.ThisProcessStarted.AddHours(-1), now, now));
        using var finished = Process.Start("true")!;
        finished.WaitForExit();
        Assert.False(RunLiveness.IsAlive(RunLiveness.Host, finished.Id, null, now, now));
        Assert.True(RunLiveness.IsAlive("another-host", 1, null, now.AddSeconds(-5), now));
        Assert.False(RunLiveness.IsAlive("another-host", 1, null, now - RunLiveness.DeadAfter - TimeSpan.FromSeconds(1), now));
        Assert.False(RunLiveness.IsAlive("another-host", 1, null, null, now));
    }

    [Fact]
    public void A_reader_of_a_store_whose_writer_has_not_yet_made_its_tables_sees_no_runs()
    {
        // What a writer leaves for an instant: the file made, the schema not yet committed.
        string path = Path.Combine(TestData.TempDirectory(), "atelier.db");
        File.WriteAllBytes(path, []);
        using (var reader = new RunStore(path, readOnly: true))
        {
            Assert.Empty(reader.Runs());
            Assert.Null(reader.Find("any"));
            Assert.Empty(reader.FinalMetrics("any"));
            Assert.Equal(0, reader.EpochCount("any"));
        }
        using (var writer = new RunStore(path)) writer.StartRun("new", "mlp", "/y", null, []);
        using var again = new RunStore(path, readOnly: true);
        Assert.Equal("running", again.Status("new"));
    }

    [Fact]
    public void A_store_written_before_liveness_columns_opens_and_gains_them()
    {
        string path = Path.Combine(TestData.TempDirectory(), "atelier.db");
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE runs (id TEXT PRIMARY KEY, model TEXT NOT NULL, status TEXT NOT NULL, experiment TEXT, folder TEXT NOT NULL, started TEXT NOT NULL, ended TEXT, message TEXT);
                INSERT INTO runs VALUES ('old', 'mlp', 'running', NULL, '/x', '2026-01-01T00:00:00Z', NULL, NULL);
                """;
            cmd.ExecuteNonQuery();
        }
        using var store = new RunStore(path);
        // A run from before heartbeats: nothing says it is alive, so it is not.
        Assert.Equal("interrupted", store.Status("old"));
        store.StartRun("new", "mlp", "/y", null, []);
        Assert.Equal("running", store.Status("new"));
    }

    [Fact]
    public void A_full_disk_on_standard_output_is_said_as_such()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Atelier.Cli.dll");
        var start = new ProcessStartInfo("bash", ["-c", $"dotnet '{dll}' models > /dev/full"]) { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("error: Cannot write to standard output (No space left on device)", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void The_same_experiment_started_twice_never_trains_one_folder_in_two_processes()
    {
        string root = TestData.TempDirectory();
        string spec = Path.Combine(root, "same.yaml");
        File.WriteAllText(spec, "name: same\nbase: {model: mlp, epochs: 3, train-size: 3000, val-size: 500, test-size: 500, augment: false}\nruns:\n  - {label: only}\n");
        var results = CliRunner.RunTogether(Enumerable.Range(0, 2).Select(_ => (string[])["experiment", spec, "--output", root, "--no-report", "--threads", "1"]));
        // One trains it; the other either finds it running and refuses, or (started later) finds it finished.
        Assert.Contains(results, r => r.ExitCode == 0);
        foreach (var r in results.Where(r => r.ExitCode != 0)) CliRunner.AssertOneSentenceError(r, "is being trained right now", 1);
        var row = Assert.Single(Rows(root));
        Assert.Equal("finished", row.Status);
        Assert.Equal(3, row.Epochs);
    }
}
