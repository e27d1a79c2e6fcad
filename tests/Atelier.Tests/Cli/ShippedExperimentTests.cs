using Atelier.Tests.Data;
using Atelier.Experiments;
using Atelier.Models;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>Every study shipped in experiments/ parses, names each run once, and builds every run's model.</summary>
public sealed class ShippedExperimentTests
{
    private static readonly string Folder = Path.Combine(TestData.RepositoryRoot, "experiments");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Folder, "*.yaml").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_shipped_experiment_loads_and_builds_its_models(string file)
    {
        var spec = ExperimentSpec.Load(Path.Combine(Folder, file));

        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
        Assert.Equal(spec.Runs.Count, spec.Runs.Select(r => r.Label).Distinct().Count());
        foreach (var run in spec.Runs)
        {
            var options = spec.OptionsFor(run, 1);
            var model = ModelZoo.Get(options.Model).Build(options.ModelOptionsFor(1, 28, 28, 10));
            Assert.NotEmpty(model.Parameters());
        }
    }
}
