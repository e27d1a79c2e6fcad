using System.Text.Json;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli.Tuning;

/// <summary>`atelier tune` end to end on tiny trials: every trial a run, the study continued, the best exported, `atelier trials` reading it.</summary>
[Collection("console")]
public sealed class TuneCommandTests
{
    internal const string Tiny = "base: { model: mlp, epochs: 2, train-size: 300, val-size: 100, test-size: 100, batch-size: 50 }\n";

    [Fact]
    public void A_study_runs_its_trials_as_runs_continues_and_exports_the_best()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "lr.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, "name: lr\n" + Tiny + """
            space:
              optimizer: { categorical: [adam, sgd] }
              lr: { float: [1.0e-3, 0.3], log: true }
              momentum: { float: [0.5, 0.95], when: { optimizer: sgd } }
            sampler: { name: random, seed: 5 }
            trials: 3
            """);
        var first = InProcessCli.Run(["tune", file, "--output", output]);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("trial 2 complete", first.Stdout);
        Assert.Contains("Best: trial", first.Stdout);

        // Continued: two more trials, numbered after the first three.
        string best = Path.Combine(folder, "best.yaml");
        var second = InProcessCli.Run(["tune", file, "--output", output, "--trials", "5", "--export", best]);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("trial 4 complete", second.Stdout);
        Assert.DoesNotContain("trial 5 ", second.Stdout);

        var json = InProcessCli.Run(["trials", "lr", "--output", output, "--json"]);
        var trials = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3, 4], trials.Select(t => t.GetProperty("number").GetInt32()));
        foreach (var t in trials)
        {
            Assert.Equal("complete", t.GetProperty("state").GetString());
            var p = t.GetProperty("params");
            // The conditional parameter is there exactly when its condition holds.
            Assert.Equal(p.GetProperty("optimizer").GetString() == "sgd", p.TryGetProperty("momentum", out _));
            Assert.Equal(2, t.GetProperty("intermediate_values").EnumerateObject().Count());
            string run = t.GetProperty("attributes").GetProperty("folder").GetString()!;
            Assert.True(File.Exists(Path.Combine(run, "results.json")), run);
        }
        Assert.Equal(5, Directory.GetDirectories(Path.Combine(output, "lr"), "trial-*").Length);

        // The exported options train as they are.
        Assert.Contains("optimizer:", File.ReadAllText(best));
        var again = InProcessCli.Run(["train", "--config", best, "--output", Path.Combine(folder, "retrain")]);
        Assert.True(again.ExitCode == 0, again.Output);

        var table = InProcessCli.Run(["trials", "lr", "--output", output]);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("complete", table.Stdout);
        var runs = InProcessCli.Run(["runs", "--output", output, "--experiment", "lr", "--json"]);
        Assert.Equal(5, JsonDocument.Parse(runs.Stdout).RootElement.GetArrayLength());
    }

    [Fact]
    public void A_trial_whose_parameters_the_model_refuses_fails_with_the_reason_and_the_study_goes_on()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "d.yaml");
        string output = Path.Combine(folder, "runs");
        // cnn-dropout doubles its last rate: --dropout 0.5 would be a rate of 1.
        File.WriteAllText(file, "name: d\n" + Tiny.Replace("model: mlp", "model: cnn-dropout") + "space:\n  dropout: { categorical: [0.1, 0.5] }\nsampler: { name: grid }\ntrials: 2\n");
        var r = InProcessCli.Run(["tune", file, "--output", output]);
        Assert.True(r.ExitCode == 0, r.Output);
        var trials = JsonDocument.Parse(InProcessCli.Run(["trials", "d", "--output", output, "--json"]).Stdout).RootElement.EnumerateArray().ToList();
        // The grid's two points, then (a failed point is tried again, as Optuna's grid does) the refused one once more.
        Assert.Equal(["complete", "fail", "fail"], trials.Select(t => t.GetProperty("state").GetString()));
        Assert.Contains("too high for cnn-dropout", trials[1].GetProperty("attributes").GetProperty("fail_reason").GetString());
        Assert.False(trials[1].GetProperty("attributes").TryGetProperty("folder", out _)); // nothing was trained or written
        Assert.Single(Directory.GetDirectories(Path.Combine(output, "d"), "trial-*"));
    }

    [Fact]
    public void Running_a_finished_study_again_says_so_and_trains_nothing()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "s.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, "name: s\n" + Tiny + "space:\n  lr: { float: [1.0e-3, 0.1], log: true }\nsampler: { name: random, seed: 1 }\ntrials: 1\n");
        Assert.Equal(0, InProcessCli.Run(["tune", file, "--output", output]).ExitCode);
        var r = InProcessCli.Run(["tune", file, "--output", output]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("has its 1 trials already", r.Stdout);
        Assert.Single(Directory.GetDirectories(Path.Combine(output, "s"), "trial-*"));
    }
}
