using Atelier.Cli;
using Atelier.Models;
using Atelier.Training;
using Atelier.Tests.Data;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>Every recipe shipped in recipes/ sets only known options, builds its model, is in the README, and trains when shortened.</summary>
[Collection("console")]
public sealed class ShippedRecipeTests
{
    private static readonly string Root = TestData.RepositoryRoot;
    private static readonly string Folder = Path.Combine(Root, "recipes");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Folder, "*.yaml").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Fact]
    public void There_is_at_least_one_recipe() => Assert.NotEmpty(Files());

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_recipe_sets_known_options_builds_its_model_and_is_documented(string file)
    {
        var options = new TrainOptions();
        OptionParser.ApplyYaml(Path.Combine(Folder, file), options);
        var model = ModelZoo.Get(options.Model).Build(options.ModelOptionsFor(1, 28, 28, 10));
        Assert.NotEmpty(model.Parameters());
        Assert.Contains($"recipes/{file}", File.ReadAllText(Path.Combine(Root, "README.md")));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_recipe_trains_end_to_end_when_shortened(string file)
    {
        string output = TestData.TempDirectory();
        var result = InProcessCli.Run("train", "--config", Path.Combine(Folder, file), "--epochs", "1", "--train-size", "256",
            "--val-size", "64", "--test-size", "64", "--output", output);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var run = Assert.Single(Directory.GetDirectories(output));
        Assert.True(File.Exists(Path.Combine(run, RunFolder.ResultsJson)));
    }
}
