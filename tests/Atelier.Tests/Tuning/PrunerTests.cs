using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning;

public class PrunerTests
{
    private static readonly double[] A = [5, 3, 8, 1, 9, 2, 7, 4, 6, 0, 10, 3.5, 2.5, 8.5, 0.5, 6.5];

    // Printed by tests/fixtures/optuna_pruner_curves.py with Optuna 3.1.0: the step each trial was pruned at, -1 for complete.
    private static readonly Dictionary<string, int[]> Expected = new()
    {
        ["median_minimize"] = [-1, -1, -1, -1, -1, -1, 0, -1, 0, -1, 0, -1, -1, 0, -1, 0],
        ["median_maximize"] = [-1, -1, -1, -1, -1, -1, 0, -1, 0, -1, 0, -1, -1, 0, -1, 0],
        ["percentile25_minimize"] = [-1, -1, -1, -1, 2, -1, 2, 2, 2, -1, 2, 2, 2, 2, -1, 2],
        ["percentile25_maximize"] = [-1, -1, -1, -1, 2, -1, 2, 2, 2, -1, 2, 2, 2, 2, -1, 2],
        ["sha_minimize"] = [-1, -1, 1, -1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 4, 1],
        ["sha_maximize"] = [-1, -1, 1, -1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 4, 1],
        ["sha_2_3_1_minimize"] = [-1, -1, 6, -1, 6, 18, 6, 6, 6, -1, 6, 6, 18, 6, -1, 6],
        ["sha_2_3_1_maximize"] = [-1, -1, 6, -1, 6, 18, 6, 6, 6, -1, 6, 6, 18, 6, -1, 6],
        ["hyperband_minimize"] = [-1, -1, -1, -1, 1, 1, 1, -1, 1, -1, 3, 1, -1, 1, 3, 3],
        ["hyperband_maximize"] = [-1, -1, -1, -1, 1, 1, 1, -1, 1, -1, 3, 1, -1, 1, 3, 3],
    };

    private static IPruner Make(string name) => name switch
    {
        "median" => new MedianPruner(),
        "percentile25" => new PercentilePruner(25.0, nStartupTrials: 3, nWarmupSteps: 2, intervalSteps: 3),
        "sha" => new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 4),
        "sha_2_3_1" => new SuccessiveHalvingPruner(minResource: 2, reductionFactor: 3, minEarlyStoppingRate: 1),
        "hyperband" => new HyperbandPruner(minResource: 1, maxResource: 20, reductionFactor: 3),
        _ => throw new ArgumentException(name),
    };

    private static int[] Run(IPruner pruner, StudyDirection direction)
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("curves", storage, direction, new RandomSampler(0), pruner);
        double sign = direction == StudyDirection.Minimize ? 1 : -1;
        var result = new List<int>();
        foreach (double a in A)
        {
            var trial = study.Ask()!;
            int pruned = -1;
            for (int step = 0; step < 20; step++)
            {
                trial.Report(sign * (a + 10.0 / (step + 1)), step);
                if (trial.ShouldPrune()) { pruned = step; break; }
            }
            if (pruned >= 0) study.Tell(trial, TrialState.Pruned);
            else study.Tell(trial, sign * (a + 10.0 / 20));
            result.Add(pruned);
        }
        return [.. result];
    }

    [Theory]
    [InlineData("median", StudyDirection.Minimize)]
    [InlineData("median", StudyDirection.Maximize)]
    [InlineData("percentile25", StudyDirection.Minimize)]
    [InlineData("percentile25", StudyDirection.Maximize)]
    [InlineData("sha", StudyDirection.Minimize)]
    [InlineData("sha", StudyDirection.Maximize)]
    [InlineData("sha_2_3_1", StudyDirection.Minimize)]
    [InlineData("sha_2_3_1", StudyDirection.Maximize)]
    [InlineData("hyperband", StudyDirection.Minimize)]
    [InlineData("hyperband", StudyDirection.Maximize)]
    public void Prunes_the_same_trials_at_the_same_steps_as_Optuna_3_1(string pruner, StudyDirection direction) =>
        Assert.Equal(Expected[$"{pruner}_{direction.ToString().ToLowerInvariant()}"], Run(Make(pruner), direction));

    [Fact]
    public void Crc32_matches_zlib() => Assert.Equal(0xCBF43926u, HyperbandPruner.Crc32("123456789"u8.ToArray()));

    [Fact]
    public void Median_pruner_waits_for_its_startup_trials()
    {
        // Four bad curves after one good: fewer than five complete trials, nothing is pruned.
        var p = new MedianPruner();
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("m", storage, pruner: p);
        foreach (double a in new[] { 0.0, 9, 9, 9 })
        {
            var t = study.Ask()!;
            t.Report(a, 0);
            Assert.False(t.ShouldPrune());
            study.Tell(t, a);
        }
    }
}
