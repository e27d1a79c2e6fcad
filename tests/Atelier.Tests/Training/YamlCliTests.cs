using Atelier.Tests.Cli;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Training;

/// <summary>The CLI end to end: a malformed YAML file or a damaged run folder is one "error:" line and exit code 1, never a stack trace.</summary>
public sealed class YamlCliTests
{
    private static string Write(string name, string text)
    {
        string path = Path.Combine(TestData.TempDirectory(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void An_unclosed_brace_in_an_experiment_is_one_line()
    {
        string path = Write("study.yaml", "name: study\nbase: { model: mlp, epochs: 1\nruns:\n  - { label: a }\n");
        CliRunner.AssertOneSentenceError(CliRunner.Run("experiment", path), $"{path}, line 2: the '{{' opened on this line is not closed", 1);
    }

    [Fact]
    public void Two_runs_with_one_label_are_refused_before_training()
    {
        string output = TestData.TempDirectory();
        string path = Write("study.yaml", "name: study\nbase: { model: mlp, epochs: 1 }\nruns:\n  - { label: a, lr: 0.1 }\n  - { label: a, lr: 0.01 }\n");
        CliRunner.AssertOneSentenceError(CliRunner.Run("experiment", path, "--output", output), "two runs have the label 'a' (line 4 and line 5)", 1);
        Assert.False(Directory.Exists(Path.Combine(output, "study")));
    }

    [Fact]
    public void A_misspelt_top_level_key_is_refused()
    {
        string path = Write("study.yaml", "name: study\nbsae: { model: mlp }\nruns:\n  - { label: a }\n");
        CliRunner.AssertOneSentenceError(CliRunner.Run("experiment", path), "unknown key 'bsae' (did you mean 'base'?)", 1);
    }

    [Fact]
    public void A_config_with_a_mapping_for_a_key_is_one_line()
    {
        string path = Write("run.yaml", "? { lr: 0.1 }\n: 3\n");
        CliRunner.AssertOneSentenceError(CliRunner.Run("train", "--config", path), $"{path}, line 1: a key is a mapping", 1);
    }

    [Fact]
    public void A_report_on_a_run_with_a_truncated_options_file_is_one_line()
    {
        string run = Path.Combine(TestData.TempDirectory(), "run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunFolder.OptionsFile), "{ \"model\": \"ml");
        CliRunner.AssertOneSentenceError(CliRunner.Run("report", run), "options.json is not valid JSON (line 1)", 1);
    }
}
