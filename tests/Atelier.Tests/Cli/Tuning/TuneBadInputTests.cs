using Atelier.Tests.Data;

namespace Atelier.Tests.Cli.Tuning;

/// <summary>
/// The catalogue of bad tuning files and `atelier tune` / `atelier trials` command lines: each gets one sentence
/// (with the fragment given), a non-zero exit, and leaves nothing behind (no run folder, no study storage).
/// </summary>
[Collection("console")]
public sealed class TuneBadInputTests
{
    private const string Base = "name: t\nbase: { model: mlp, epochs: 1, train-size: 300, val-size: 100, test-size: 100 }\n";

    public static TheoryData<string, string, string, string[]> Files() => new()
    {
        { "unknown option in space", "unknown option 'lrr'", Base + "space:\n  lrr: { float: [0.001, 0.1] }\n", [] },
        { "low above high", "low (0.1) is above its high (0.001)", Base + "space:\n  lr: { float: [0.1, 0.001] }\n", [] },
        { "log with low 0", "log-scale range needs low > 0", Base + "space:\n  lr: { float: [0, 0.1], log: true }\n", [] },
        { "log with negative int low", "log-scale int range needs low >= 1", Base + "space:\n  batch-size: { int: [0, 64], log: true }\n", [] },
        { "empty categorical", "needs a list of at least one choice", Base + "space:\n  optimizer: { categorical: [] }\n", [] },
        { "categorical twice", "lists the choice 'adam' twice", Base + "space:\n  optimizer: { categorical: [adam, sgd, adam] }\n", [] },
        { "unknown choice value", "Unknown optimizer", Base + "space:\n  optimizer: { categorical: [adam, sgdd] }\n", [] },
        { "grid over an unbounded float", "grid", Base + "space:\n  lr: { float: [0.001, 0.1] }\nsampler: { name: grid }\n", [] },
        { "unknown sampler", "unknown sampler 'tpee' (did you mean 'tpe'?)", Base + "space:\n  lr: { float: [0.001, 0.1] }\nsampler: { name: tpee }\n", [] },
        { "unknown pruner", "unknown pruner 'medain'", Base + "space:\n  lr: { float: [0.001, 0.1] }\npruner: medain\n", [] },
        { "unknown sampler setting", "has no setting 'sed'", Base + "space:\n  lr: { float: [0.001, 0.1] }\nsampler: { name: random, sed: 1 }\n", [] },
        { "seed text", "'seed' must be a whole number", Base + "space:\n  lr: { float: [0.001, 0.1] }\nsampler: { name: random, seed: abc }\n", [] },
        { "range end training refuses", "which training refuses", Base + "space:\n  lr: { float: [0, 0.1] }\n", [] },
        { "float range on an int option", "which training refuses", Base + "space:\n  batch-size: { float: [32, 64] }\n", [] },
        { "int range with fractions", "needs whole numbers", Base + "space:\n  batch-size: { int: [32, 64.5] }\n", [] },
        { "range of three", "two numbers", Base + "space:\n  lr: { float: [0.1, 0.2, 0.3] }\n", [] },
        { "range not a mapping", "needs a range like", Base + "space:\n  lr: 0.1\n", [] },
        { "two kinds", "choose one", Base + "space:\n  lr: { float: [0.1, 0.2], int: [1, 2] }\n", [] },
        { "no kind", "needs one of float, int or categorical", Base + "space:\n  lr: { log: true }\n", [] },
        { "log on categorical", "'log' and 'step' belong to float and int", Base + "space:\n  optimizer: { categorical: [adam], log: true }\n", [] },
        { "log and step", "either on a log scale or stepped", Base + "space:\n  lr: { float: [0.01, 0.1], log: true, step: 0.01 }\n", [] },
        { "step zero", "step must be above 0", Base + "space:\n  lr: { float: [0.01, 0.1], step: 0 }\n", [] },
        { "unknown key in a range", "unknown key 'lgo' in 'lr'", Base + "space:\n  lr: { float: [0.01, 0.1], lgo: true }\n", [] },
        { "empty space", "'space' must be", Base + "space: {}\n", [] },
        { "no space", "has no 'space'", Base, [] },
        { "option in base and space", "both in 'base' and in 'space'", Base + "space:\n  epochs: { int: [1, 2] }\n", [] },
        { "untunable option", "cannot be tuned", Base + "space:\n  output: { categorical: [a, b] }\n", [] },
        { "condition on an untuned option", "is not in the space", Base + "space:\n  momentum: { float: [0.5, 0.9], when: { optimizer: sgd } }\n", [] },
        { "condition before its source", "comes after it", Base + "space:\n  momentum: { float: [0.5, 0.9], when: { optimizer: sgd } }\n  optimizer: { categorical: [adam, sgd] }\n", [] },
        { "condition on an impossible value", "is one of [adam, sgd]", Base + "space:\n  optimizer: { categorical: [adam, sgd] }\n  momentum: { float: [0.5, 0.9], when: { optimizer: rmsprop } }\n", [] },
        { "unknown metric", "unknown metric 'val-acc'", Base + "objective: { metric: val-acc }\nspace:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "wrong direction", "is to maximize, not to minimize", Base + "objective: { metric: val-accuracy, direction: minimize }\nspace:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "unknown direction", "'direction' is maximize or minimize", Base + "objective: { metric: val-loss, direction: down }\nspace:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "val metric without validation", "no validation split", "name: t\nbase: { model: mlp, epochs: 1, val-size: 0 }\nspace:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "trials zero", "'trials' is a whole number", Base + "space:\n  lr: { float: [0.001, 0.1] }\ntrials: 0\n", [] },
        { "experiment file given to tune", "belongs to an experiment file", Base + "grid:\n  lr: [0.1, 0.2]\n", [] },
        { "misspelt top-level key", "(did you mean 'space'?)", Base + "spcae:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "no trials anywhere", "Say how long to tune", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", [] },
        { "trials option zero", "--trials must be a whole number", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "0"] },
        { "trials option text", "--trials must be a whole number", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "many"] },
        { "timeout negative", "--timeout must be a number above 0", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--timeout", "-5"] },
        { "scale above 1", "--scale must be a number above 0", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--scale", "2"] },
        { "heartbeat zero", "--heartbeat must be a number above 0", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--heartbeat", "0"] },
        { "study name with a slash", "--study is a name", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--study", "a/b"] },
        { "export into a missing folder", "--export: the folder", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--export", "/no/such/folder/best.yaml"] },
        { "unknown storage url", "Unknown storage URL", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--storage", "mysql://x@y/z"] },
        { "unreachable postgres", "Cannot reach PostgreSQL", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--storage", "postgresql://nobody@127.0.0.1:9/none"] },
        { "postgres url without a database", "postgresql://", Base + "space:\n  lr: { float: [0.001, 0.1] }\n", ["--trials", "1", "--storage", "postgresql://"] },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void A_bad_tuning_file_or_option_gets_one_sentence_and_writes_nothing(string name, string fragment, string yaml, string[] extra)
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "study.yaml");
        File.WriteAllText(file, yaml);
        string output = Path.Combine(folder, "runs");
        var r = InProcessCli.Run(["tune", file, "--output", output, .. extra]);
        AssertOneError(name, fragment, r);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(), $"{name}: {output} is not empty");
    }

    [Fact]
    public void A_study_continued_with_another_space_or_objective_is_refused_naming_what_differs()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "study.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, Base + "space:\n  lr: { float: [0.001, 0.1], log: true }\nsampler: { name: random, seed: 1 }\n");
        Assert.Equal(0, InProcessCli.Run(["tune", file, "--trials", "1", "--output", output]).ExitCode);
        File.WriteAllText(file, Base + "objective: { metric: val-loss }\nspace:\n  lr: { float: [0.001, 0.5], log: true }\nsampler: { name: random, seed: 1 }\n");
        var r = InProcessCli.Run(["tune", file, "--trials", "2", "--output", output]);
        AssertOneError("changed file", "was started with another file", r);
        Assert.Contains("objective val-accuracy maximize → val-loss minimize", r.Stderr);
        Assert.Contains("space lr", r.Stderr);
        var trials = InProcessCli.Run(["trials", "t", "--output", output, "--json"]);
        Assert.Equal(0, trials.ExitCode);
        Assert.Single(System.Text.Json.JsonDocument.Parse(trials.Stdout).RootElement.EnumerateArray());
    }

    public static TheoryData<string, string, string[]> TrialsCommands() => new()
    {
        { "no study argument", "Usage: atelier trials", ["trials"] },
        { "two studies", "One study at a time", ["trials", "a", "b"] },
        { "no storage in folder", "There are no studies in", ["trials", "a", "--output", "{out}"] },
        { "storage and output", "give one", ["trials", "a", "--output", "{out}", "--storage", "sqlite:///x.db"] },
        { "unknown storage url", "Unknown storage URL", ["trials", "a", "--storage", "ftp://x"] },
        { "missing sqlite file", "", ["trials", "a", "--storage", "sqlite:////no/such/file.db"] },
        { "unknown option", "Unknown option '--all'", ["trials", "a", "--all"] },
    };

    [Theory]
    [MemberData(nameof(TrialsCommands))]
    public void A_bad_trials_command_gets_one_sentence(string name, string fragment, string[] args)
    {
        string output = TestData.TempDirectory();
        var r = InProcessCli.Run(args.Select(a => a.Replace("{out}", output)).ToArray());
        AssertOneError(name, fragment, r);
    }

    [Fact]
    public void An_unknown_study_is_refused_with_the_studies_there_are()
    {
        string folder = TestData.TempDirectory();
        string file = Path.Combine(folder, "study.yaml");
        string output = Path.Combine(folder, "runs");
        File.WriteAllText(file, Base.Replace("name: t", "name: lr-study") + "space:\n  lr: { float: [0.001, 0.1], log: true }\n");
        Assert.Equal(0, InProcessCli.Run(["tune", file, "--trials", "1", "--output", output]).ExitCode);
        AssertOneError("unknown study", "There is no study 'lr-stduy'", InProcessCli.Run(["trials", "lr-stduy", "--output", output]));
    }

    private static void AssertOneError(string name, string fragment, CliRunner.Result r)
    {
        Assert.True(r.ExitCode != 0, $"{name}: exit 0\n{r.Output}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{name}: expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.True(lines[0].Contains(fragment, StringComparison.Ordinal), $"{name}: '{fragment}' not in: {lines[0]}");
        Assert.DoesNotContain("   at ", r.Output);
    }
}
