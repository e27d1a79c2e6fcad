using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning;

public class StudyTests
{
    private static double Quadratic(Trial t)
    {
        double x = t.SuggestFloat("x", -10, 10);
        long y = t.SuggestInt("y", -5, 5);
        string c = t.SuggestCategorical("c", ["a", "b"]);
        return x * x + y * y + (c == "a" ? 0 : 1);
    }

    [Fact]
    public void Optimize_runs_the_requested_number_of_trials_numbered_from_zero()
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("q", storage, sampler: new RandomSampler(1));
        var result = study.Optimize(Quadratic, trials: 12);
        Assert.Equal("trials", result.Stopped);
        Assert.Equal(Enumerable.Range(0, 12), study.Trials.Select(t => t.Number));
        Assert.All(study.Trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Equal(study.Trials.Min(t => t.Value), study.BestTrial!.Value);
        // Continuing the study adds trials up to the total.
        Assert.Equal(3, study.Optimize(Quadratic, trials: 15).Trials.Count);
    }

    [Fact]
    public void A_seeded_sampler_reproduces_its_trials_exactly()
    {
        IEnumerable<string> Run()
        {
            using var storage = new InMemoryStudyStorage();
            var study = Study.CreateOrLoad("q", storage, sampler: new RandomSampler(7));
            study.Optimize(Quadratic, trials: 8);
            return study.Trials.Select(t => $"{t.Param("x")} {t.Param("y")} {t.Param("c")} {t.Value}").ToList();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void A_trial_whose_worker_stopped_beating_is_failed_and_its_parameters_retried()
    {
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using var storage = new InMemoryStudyStorage { Clock = () => now };
        var dead = Study.CreateOrLoad("q", storage, sampler: new RandomSampler(3));
        var lost = dead.Ask(4)!;
        double x = lost.SuggestFloat("x", -10, 10);
        now += TimeSpan.FromMinutes(5);
        var live = Study.CreateOrLoad("q", storage, sampler: new RandomSampler(3));
        live.Optimize(t => t.SuggestFloat("x", -10, 10), trials: 4);
        var trials = live.Trials;
        Assert.Equal(TrialState.Fail, trials[0].State);
        Assert.Equal(4, trials.Count(t => t.State == TrialState.Complete));
        var retry = Assert.Single(trials, t => t.Attributes.GetValueOrDefault("retry_of") == "0");
        Assert.Equal(x, retry.Params["x"]);
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
    }

    [Fact]
    public void Pruned_and_failed_trials_are_recorded_as_such()
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("p", storage);
        int n = 0;
        study.Optimize(t =>
        {
            t.Report(1.0, 0);
            return n++ switch { 0 => throw new TrialPrunedException(), 1 => double.NaN, _ => 2.0 };
        }, trials: 2);
        var states = study.Trials.Select(t => t.State).ToList();
        Assert.Equal([TrialState.Pruned, TrialState.Fail, TrialState.Complete], states);
        Assert.Equal(1.0, study.Trials[0].Value);
    }
}
