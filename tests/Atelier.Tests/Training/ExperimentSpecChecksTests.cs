using Atelier.Experiments;

namespace Atelier.Tests.Training;

/// <summary>An experiment file that would train the wrong runs is refused: shared labels or run folders, misspelt top-level keys, unsafe names.</summary>
public sealed class ExperimentSpecChecksTests
{
    private const string File = "study.yaml";

    private static string Refusal(string yaml)
    {
        var e = Assert.Throws<InvalidDataException>(() => ExperimentSpec.Parse(yaml, File));
        Assert.StartsWith(File, e.Message);
        return e.Message;
    }

    [Fact]
    public void Two_runs_with_one_label_are_refused_naming_both_lines()
    {
        string message = Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { label: adam, optimizer: adam }\n  - { label: sgd, optimizer: sgd }\n  - { label: adam, lr: 0.1 }\n");
        Assert.Equal("study.yaml: two runs have the label 'adam' (line 4 and line 6); labels name the run folders, so give each run its own.", message);
    }

    [Fact]
    public void Two_runs_with_one_generated_label_are_refused()
    {
        // Unlabelled runs are named by their options: both are "lr=0.1".
        Assert.Contains("two runs have the label 'lr=0.1' (line 4 and line 5)", Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { lr: 0.1 }\n  - { lr: 0.1 }\n"));
        Assert.Contains("two runs have the label 'lr=0.1' (the grid on line 3 and the grid on line 3)", Refusal("name: x\nbase: { model: mlp }\ngrid:\n  lr: [0.1, 0.01, 0.1]\n"));
        Assert.Contains("two runs have the label 'a-lr=0.1' (line 4 with the grid on line 6 and line 5 with the grid on line 6)",
            Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { label: a }\n  - { label: a, epochs: 2 }\ngrid:\n  lr: [0.1]\n"));
    }

    [Fact]
    public void Labels_that_make_one_run_folder_are_refused()
    {
        Assert.Equal("study.yaml: the labels 'adam 1' (line 4) and 'adam/1' (line 5) both make the run folder 'adam_1'; change one of them.",
            Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { label: adam 1 }\n  - { label: adam/1 }\n"));
        Assert.Contains("make the run folders 'Adam' and 'adam', one folder where file names ignore case", Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { label: Adam }\n  - { label: adam }\n"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("\"\"")]
    public void A_label_that_is_no_folder_name_is_refused(string label) =>
        Assert.Contains("the label cannot name a run folder", Refusal($"name: x\nbase: {{ model: mlp }}\nruns:\n  - {{ label: {label} }}\n"));

    [Theory]
    [InlineData("../elsewhere")]
    [InlineData("/tmp/x")]
    [InlineData("..")]
    public void An_experiment_name_that_leaves_the_runs_folder_is_refused(string name) =>
        Assert.Contains("cannot name its folder", Refusal($"name: {name}\nbase: {{ model: mlp }}\nruns:\n  - {{ label: a }}\n"));

    [Fact]
    public void A_misspelt_top_level_key_is_refused_with_the_closest_one()
    {
        Assert.Equal("study.yaml, line 2: unknown key 'bsae' (did you mean 'base'?); an experiment file has name, description, base, runs, grid.",
            Refusal("name: x\nbsae: { model: cnn }\nruns:\n  - { label: a, model: mlp }\n"));
        Assert.Contains("unknown key 'gird' (did you mean 'grid'?)", Refusal("name: x\nbase: { model: mlp }\ngird:\n  lr: [0.1]\n"));
        Assert.Contains("unknown key 'model';", Refusal("name: x\nbase:\nmodel: mlp\nruns:\n  - { label: a }\n"));
        Assert.Contains("'space' belongs to a tuning study", Refusal("name: x\nbase: { model: mlp }\nspace:\n  lr: { float: [0.001, 0.1] }\n"));
    }

    [Fact]
    public void A_run_that_sets_an_option_the_grid_varies_is_refused()
    {
        Assert.Contains("line 4: the run sets 'lr', which the grid also varies (line 6)",
            Refusal("name: x\nbase: { model: mlp }\nruns:\n  - { label: a, lr: 0.5 }\ngrid:\n  lr: [0.1, 0.01]\n"));
    }

    [Fact]
    public void Runs_and_a_grid_still_combine()
    {
        var spec = ExperimentSpec.Parse("name: x\nbase: { model: mlp }\nruns:\n  - { label: adam, optimizer: adam }\n  - { label: sgd, optimizer: sgd }\ngrid:\n  lr: [0.1, 0.01]\n", File);
        Assert.Equal(["adam-lr=0.1", "adam-lr=0.01", "sgd-lr=0.1", "sgd-lr=0.01"], spec.Runs.Select(r => r.Label));
        Assert.Equal("sgd", spec.OptionsFor(spec.Runs[3], 1).Optimizer);
        Assert.Equal(0.01f, spec.OptionsFor(spec.Runs[3], 1).LearningRate);
    }
}
