using System.Diagnostics;
using System.Text.Json;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli.Tuning;

/// <summary>
/// Several `atelier tune` processes on one study, one of them killed with SIGKILL in the middle of a trial: the study
/// still ends with exactly the requested number of finished trials, no number twice, the killed trial failed and its
/// parameters retried by a survivor. With SQLite (2 workers) and PostgreSQL (3 workers, the server .ci/run starts).
/// </summary>
public sealed class TuneWorkersTests
{
    private const int Trials = 6;

    [Fact]
    public void Two_sqlite_workers_finish_the_study_when_one_is_killed_mid_trial()
    {
        string folder = TestData.TempDirectory();
        Check(folder, "kill-sqlite", workers: 2, storage: null);
    }

    [Fact]
    public void Three_postgres_workers_finish_the_study_when_one_is_killed_mid_trial()
    {
        string? url = Environment.GetEnvironmentVariable("ATELIER_TEST_POSTGRES");
        if (url is null)
        {
            // Outside CI a machine without the test server skips this; CI starts one, so there it must run.
            Assert.True(Environment.GetEnvironmentVariable("CI") is null, "CI must set ATELIER_TEST_POSTGRES (.ci/run starts a PostgreSQL server).");
            return;
        }
        string folder = TestData.TempDirectory();
        Check(folder, "kill-pg-" + Guid.NewGuid().ToString("N")[..8], workers: 3, storage: url);
    }

    [Fact]
    public void A_study_stopped_with_sigterm_mid_trial_says_so_and_continues_with_that_trial_retried()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "study.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, "name: stopped\n" + """
            base: { model: mlp, epochs: 3, train-size: 3000, val-size: 200, test-size: 200, batch-size: 50 }
            space:
              lr: { float: [1.0e-3, 0.1], log: true }
            sampler: { name: random, seed: 3 }
            trials: 3
            """);
        string[] args = ["tune", file, "--output", output, "--threads", "1"];
        var stopped = CliRunner.Run(args, line => line.StartsWith("trial ", StringComparison.Ordinal) && line.Contains(": epoch ", StringComparison.Ordinal), "TERM");
        Assert.Equal(143, stopped.ExitCode);
        Assert.Contains("Interrupted: finished trials are saved", stopped.Stderr);
        Assert.DoesNotContain("   at ", stopped.Output);

        var again = CliRunner.Run(args);
        Assert.True(again.ExitCode == 0, again.Output);
        var trials = JsonDocument.Parse(CliRunner.Run(["trials", "stopped", "--output", output, "--json"]).Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, trials.Count(t => t.GetProperty("state").GetString() == "complete"));
        var failed = Assert.Single(trials, t => t.GetProperty("state").GetString() == "fail");
        var retry = Assert.Single(trials, t => t.GetProperty("attributes").TryGetProperty("retry_of", out var of)
            && of.GetString() == failed.GetProperty("number").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(failed.GetProperty("params").GetProperty("lr").GetString(), retry.GetProperty("params").GetProperty("lr").GetString());
    }

    private static void Check(string folder, string study, int workers, string? storage)
    {
        string file = Path.Combine(folder, "study.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, $"name: {study}\n" + """
            base: { model: mlp, epochs: 3, train-size: 3000, val-size: 200, test-size: 200, batch-size: 50 }
            space:
              lr: { float: [1.0e-3, 0.1], log: true }
            sampler: { name: random, seed: 11 }
            """);
        string[] args = ["tune", file, "--trials", Trials.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", output, "--heartbeat", "1", "--threads", "1",
            .. storage is null ? Array.Empty<string>() : ["--storage", storage]];

        var victim = CliRunner.Start(args);
        // The victim dies in the middle of its first trial, after an epoch is saved: its trial stays "running" with no heartbeat.
        var victimOut = Task.Run(() =>
        {
            while (victim.StandardOutput.ReadLine() is { } line)
                if (line.StartsWith("trial ", StringComparison.Ordinal) && line.Contains(": epoch ", StringComparison.Ordinal))
                {
                    CliRunner.Signal(victim, "KILL");
                    return line;
                }
            return null;
        });
        Assert.True(victimOut.Wait(TimeSpan.FromMinutes(2)), "the victim never reached an epoch");
        Assert.NotNull(victimOut.Result);
        victim.WaitForExit();
        Assert.Equal(137, victim.ExitCode);

        var results = CliRunner.RunTogether(Enumerable.Range(0, workers - 1).Select(_ => args));
        foreach (var r in results) Assert.True(r.ExitCode == 0, r.Output);

        string[] list = ["trials", study, "--json", .. storage is null ? ["--output", output] : new[] { "--storage", storage }];
        var json = CliRunner.Run(list);
        Assert.True(json.ExitCode == 0, json.Output);
        var trials = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToList();
        var numbers = trials.Select(t => t.GetProperty("number").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers.Order());
        Assert.Equal(Trials, trials.Count(t => t.GetProperty("state").GetString() == "complete"));
        var failed = Assert.Single(trials, t => t.GetProperty("state").GetString() == "fail");
        Assert.Equal("no heartbeat", failed.GetProperty("attributes").GetProperty("fail_reason").GetString());
        int killed = failed.GetProperty("number").GetInt32();
        var retry = Assert.Single(trials, t => t.GetProperty("attributes").TryGetProperty("retry_of", out var of) && of.GetString() == killed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("complete", retry.GetProperty("state").GetString());
        Assert.Equal(failed.GetProperty("params").GetProperty("lr").GetString(), retry.GetProperty("params").GetProperty("lr").GetString());
        Assert.Equal(Trials + 1, trials.Count);
    }
}
