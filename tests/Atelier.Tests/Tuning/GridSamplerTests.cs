using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning;

public class GridSamplerTests
{
    private static readonly Dictionary<string, Distribution> Space = new()
    {
        ["n"] = new IntDistribution(0, 4, step: 2),
        ["c"] = new CategoricalDistribution(["a", "b"]),
        ["f"] = new FloatDistribution(0, 1, step: 0.5),
    };

    private static (string, string, string) Suggest(Trial t) =>
        (t.SuggestInt("n", 0, 4, step: 2).ToString(), t.SuggestCategorical("c", ["a", "b"]), t.SuggestFloat("f", 0, 1, step: 0.5).ToString());

    [Fact]
    public void Counts_the_points_of_the_enumerated_grid()
    {
        Assert.Equal(18, GridSampler.CountPoints(Space));
        Assert.Equal(18, new GridSampler(Space).Count);
        Assert.Equal([0.0, 2, 4], GridSampler.Enumerate(Space)["n"]);
    }

    [Fact]
    public void A_continuous_float_without_a_step_is_refused_with_a_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => new GridSampler(new Dictionary<string, Distribution> { ["lr"] = new FloatDistribution(0, 1) }));
        Assert.Contains("'lr'", e.Message);
        Assert.Contains("step", e.Message);
    }

    [Fact]
    public void Serial_trials_cover_every_point_exactly_once_in_order()
    {
        using var storage = new InMemoryStudyStorage();
        var sampler = new GridSampler(Space);
        var study = Study.CreateOrLoad("g", storage, sampler: sampler);
        study.Optimize(t => { Suggest(t); return 0; }, trials: 18);
        var trials = study.Trials;
        Assert.Equal(Enumerable.Range(0, 18).Select(k => (long?)k), trials.Select(t => sampler.Index(t.Params)));
    }

    [Fact]
    public void Parallel_workers_skip_the_points_others_hold()
    {
        using var storage = new InMemoryStudyStorage();
        var grid = new Dictionary<string, IReadOnlyList<double>> { ["n"] = [0, 2, 4], ["c"] = [0, 1], ["f"] = [0, 0.5, 1] };
        var one = Study.CreateOrLoad("g", storage, sampler: new GridSampler(grid));
        var two = Study.CreateOrLoad("g", storage, sampler: new GridSampler(grid));
        var seen = new List<(string, string, string)>();
        var running = new List<(Study, Trial)>();
        for (int i = 0; i < 18; i++)
        {
            var study = i % 2 == 0 ? one : two;
            var t = study.Ask()!;
            seen.Add(Suggest(t));
            running.Add((study, t));
            if (running.Count == 3) // tell the oldest, as workers that finish out of step
            {
                running[0].Item1.Tell(running[0].Item2, 1.0);
                running.RemoveAt(0);
            }
        }
        Assert.Equal(18, seen.Distinct().Count());
    }

    [Fact]
    public void A_parameter_outside_the_grid_is_an_error()
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("g", storage, sampler: new GridSampler(Space));
        var t = study.Ask()!;
        Assert.Throws<ArgumentException>(() => t.SuggestFloat("other", 0, 1));
    }
}
