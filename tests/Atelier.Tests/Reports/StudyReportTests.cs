using System.Xml.Linq;
using Atelier.Reports;
using Atelier.Reports.StudyPlots;
using Atelier.Tuning;
using Atelier.Tuning.Importance;

namespace Atelier.Tests.Reports;

/// <summary>Synthetic studies for the study report tests, run through <see cref="Study.Optimize"/> on an in-memory storage.</summary>
internal static class StudyReportFixture
{
    /// <summary>A clock that moves one second per reading, so trials have durations.</summary>
    public static Func<DateTime> Ticking()
    {
        long ticks = 0;
        var start = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        return () => start.AddSeconds(Interlocked.Increment(ref ticks));
    }

    /// <summary>x (log float), n (int), opt (categorical), momentum only for sgd; steps 0..4 reported; every 5th trial pruned, every 7th fails.</summary>
    public static (StudyRecord Record, IReadOnlyList<FrozenTrial> Trials) Mixed(int trials = 30, StudyDirection direction = StudyDirection.Minimize)
    {
        var storage = new InMemoryStudyStorage { Clock = Ticking() };
        int seed = 3;
        foreach (var worker in new[] { "host-a:1", "host-b:2" })
        {
            var study = Study.CreateOrLoad("mixed", storage, direction, new RandomSampler(seed: seed++));
            // Worker is init-only; two workers of one study, as two processes would be.
            typeof(Study).GetProperty(nameof(Study.Worker))!.SetValue(study, worker);
            study.Optimize(Objective, trials: study.Trials.Count + trials / 2);
        }
        var record = storage.FindStudy("mixed")!;
        return (record, storage.Trials(record.Id));
    }

    public static double Objective(Trial t)
    {
        double x = t.SuggestFloat("x", 1e-4, 1, log: true);
        long n = t.SuggestInt("n", 1, 8);
        string opt = t.SuggestCategorical("opt", ["adam", "sgd", "rmsprop"]);
        double m = opt == "sgd" ? t.SuggestFloat("momentum", 0, 0.9) : 0;
        double value = Math.Pow(Math.Log10(x) + 2, 2) + 0.1 * n + (opt == "sgd" ? 1 - m : 0);
        for (int step = 0; step < 5; step++)
        {
            t.Report(value + 2.0 / (step + 1), step);
            if (t.Number % 5 == 3 && step == 2) throw new TrialPrunedException();
        }
        return t.Number % 7 == 6 ? double.NaN : value;
    }

    public static FrozenTrial Trial(int number, TrialState state, double? value, Dictionary<string, double>? p = null, Dictionary<string, Distribution>? d = null)
    {
        var start = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddSeconds(number * 10);
        return new FrozenTrial(number + 1, number, state, value, start, state == TrialState.Running ? null : start.AddSeconds(5),
            p ?? [], d ?? [], new Dictionary<int, double>(), new Dictionary<string, string>(), "w:1", null);
    }

    public static StudyRecord Record(StudyDirection direction = StudyDirection.Minimize) => new(1, "synthetic", direction, null, new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc));
}

public sealed class StudyReportTests
{
    private static XDocument Svg(string? svg)
    {
        Assert.NotNull(svg);
        return SvgAssert.WellFormed(svg);
    }

    private static int Count(XDocument doc, string name, string? cls = null) =>
        doc.Descendants(SvgAssert.Ns + name).Count(e => cls is null || ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cls));

    [Fact]
    public void Importance_finds_the_dominant_parameter_and_gives_an_unused_one_about_nothing()
    {
        var random = new Random(7);
        var dist = new Dictionary<string, Distribution> { ["x"] = new FloatDistribution(0, 1), ["y"] = new FloatDistribution(0, 1), ["z"] = new FloatDistribution(0, 1) };
        var trials = Enumerable.Range(0, 120).Select(i =>
        {
            double x = random.NextDouble(), y = random.NextDouble(), z = random.NextDouble();
            return StudyReportFixture.Trial(i, TrialState.Complete, 10 * x + 0.1 * y + 0.05 * (random.NextDouble() - 0.5),
                new Dictionary<string, double> { ["x"] = x, ["y"] = y, ["z"] = z }, dist);
        }).ToList();
        var importance = ParameterImportance.Compute(trials, seed: 1);
        Assert.Equal(["x", "y", "z"], importance.Select(p => p.Key).Order());
        Assert.Equal(1, importance.Sum(p => p.Value), 9);
        Assert.Equal("x", importance[0].Key);
        Assert.True(importance[0].Value > 0.9, $"x has {importance[0].Value}");
        Assert.True(importance.Single(p => p.Key == "z").Value < 0.03, $"z has {importance.Single(p => p.Key == "z").Value}");
        Assert.Equal(importance, ParameterImportance.Compute(trials, seed: 1));
    }

    [Fact]
    public void Importance_handles_categoricals_log_scales_and_degenerate_studies()
    {
        var (_, trials) = StudyReportFixture.Mixed();
        var importance = ParameterImportance.Compute(trials);
        Assert.Equal(["n", "opt", "x"], importance.Select(p => p.Key).Order()); // momentum is conditional
        Assert.Equal(1, importance.Sum(p => p.Value), 9);
        Assert.Equal("x", importance[0].Key);
        Assert.Empty(ParameterImportance.Compute([]));
        var d = new Dictionary<string, Distribution> { ["a"] = new FloatDistribution(0, 1) };
        var flat = Enumerable.Range(0, 10).Select(i => StudyReportFixture.Trial(i, TrialState.Complete, 1.0, new() { ["a"] = i / 10.0 }, d)).ToList();
        Assert.Equal(1.0, ParameterImportance.Compute(flat).Single().Value);
    }

    [Fact]
    public void Every_figure_draws_a_mixed_study()
    {
        var (record, trials) = StudyReportFixture.Mixed();
        Assert.Contains(trials, t => t.State == TrialState.Pruned);
        Assert.Contains(trials, t => t.State == TrialState.Fail);
        int complete = trials.Count(t => t.State == TrialState.Complete);
        var notes = new List<string>();
        var figures = StudyReport.Figures(record, trials, notes.Add);
        Assert.Empty(notes);
        Assert.Equal(["Optimization history", "Intermediate values", "Parallel coordinates", "Slice plot", "Contour", "Parameter importances", "Empirical distribution", "Timeline"], figures.Select(f => f.Heading));
        foreach (var f in figures) SvgAssert.WellFormed(f.Svg);

        var history = Svg(OptimizationHistory.Svg(record, trials, out _));
        Assert.Equal(complete + 1, Count(history, "circle")); // the legend has one
        Assert.Equal(1, Count(history, "path", "best-so-far"));

        var inter = Svg(IntermediateValues.Svg(record, trials, out _));
        int crosses = inter.Descendants(SvgAssert.Ns + "path").Count(e => (string?)e.Attribute("class") == "pruned");
        Assert.Equal(trials.Count(t => t.State == TrialState.Pruned) + 1, crosses); // the legend has one
        Assert.Equal(trials.Count, Count(inter, "path", "trial"));

        var parallel = Svg(ParallelCoordinates.Svg(record, trials, out _));
        Assert.Equal(complete, Count(parallel, "path", "trial"));
        var texts = SvgAssert.Texts(parallel);
        Assert.Contains("adam", texts);
        Assert.Contains("rmsprop", texts);
        Assert.Contains("momentum", texts);

        var slice = Svg(SlicePlot.Svg(record, trials, out _));
        Assert.Equal(trials.Where(t => t.State == TrialState.Complete).Sum(t => t.Params.Count), Count(slice, "circle"));
        Assert.Contains("x (log)", SvgAssert.Texts(slice));
        Assert.Contains("0.001", SvgAssert.Texts(slice));

        var contour = Svg(ContourPlot.Svg(record, trials, out _, ParameterImportance.Compute(trials).Select(p => p.Key).ToList()));
        Assert.Equal(900 + 48 + 2, Count(contour, "rect")); // cells, colour bar slices, its frame, the background
        var importance = Svg(ImportancePlot.Svg(record, trials, out _));
        Assert.Contains("opt", SvgAssert.Texts(importance));

        var timeline = Svg(Timeline.Svg(record, trials, out _));
        Assert.Equal(trials.Count, Count(timeline, "rect", "trial"));
        Assert.Contains("host-a:1", SvgAssert.Texts(timeline));
        Assert.Contains("host-b:2", SvgAssert.Texts(timeline));
        Assert.Equal(trials.Count(t => t.State == TrialState.Fail), Count(timeline, "rect", "fail"));
    }

    [Fact]
    public void The_best_trial_and_trial_tables_show_continuous_floats_to_four_digits_and_steps_as_stored()
    {
        var trial = StudyReportFixture.Trial(3, TrialState.Complete, 0.9417,
            new() { ["lr"] = 0.0045758344027791885, ["dropout"] = 0.15000000000000002, ["batch-size"] = 1 },
            new() { ["lr"] = new FloatDistribution(1e-4, 1e-1, log: true), ["dropout"] = new FloatDistribution(0, 0.5, step: 0.05), ["batch-size"] = new CategoricalDistribution(["64", "128"]) });
        var best = StudyReport.BestTable(trial).Rows.ToDictionary(r => r[0], r => r[1]);
        Assert.Equal("0.004576", best["lr"]);
        Assert.Equal("0.15", best["dropout"]);
        Assert.Equal("128", best["batch-size"]);
        Assert.Equal("batch-size=128, dropout=0.15, lr=0.004576", StudyReport.TrialTable([trial]).Rows.Single()[3]);
    }

    [Fact]
    public void A_maximised_study_draws_its_best_so_far_upwards()
    {
        var record = StudyReportFixture.Record(StudyDirection.Maximize);
        var d = new Dictionary<string, Distribution> { ["a"] = new FloatDistribution(0, 1) };
        var trials = new[] { 1.0, 3.0, 2.0 }.Select((v, i) => StudyReportFixture.Trial(i, TrialState.Complete, v, new() { ["a"] = v / 4 }, d)).ToList();
        Assert.Equal(1, Atelier.Tuning.Study.Best(trials, StudyDirection.Maximize)!.Number);
        var html = StudyReport.Build(record, trials).ToHtml();
        Assert.Contains("<tr class=\"best\"><td class=\"num\">1</td>", html);
    }

    public static TheoryData<string> Degenerate => ["none", "one", "failed", "single-value", "equal", "conditional", "running"];

    [Theory]
    [MemberData(nameof(Degenerate))]
    public void Degenerate_studies_leave_figures_out_with_a_note_never_a_NaN(string kind)
    {
        var record = StudyReportFixture.Record();
        var fx = new Dictionary<string, Distribution> { ["x"] = new FloatDistribution(1e-3, 1, log: true), ["c"] = new CategoricalDistribution(["a", "b"]), ["k"] = new IntDistribution(3, 3) };
        List<FrozenTrial> trials = kind switch
        {
            "none" => [],
            "one" => [StudyReportFixture.Trial(0, TrialState.Complete, 0.5, new() { ["x"] = 0.01, ["c"] = 1, ["k"] = 3 }, fx)],
            "failed" => [.. Enumerable.Range(0, 3).Select(i => StudyReportFixture.Trial(i, TrialState.Fail, null, new() { ["x"] = 0.1 }, fx))],
            "single-value" => [.. Enumerable.Range(0, 4).Select(i => StudyReportFixture.Trial(i, TrialState.Complete, i, new() { ["x"] = 0.1, ["k"] = 3 }, fx))],
            "equal" => [.. Enumerable.Range(0, 5).Select(i => StudyReportFixture.Trial(i, TrialState.Complete, 2.0, new() { ["x"] = Math.Pow(10, -i / 2.0), ["c"] = i % 2 }, fx))],
            "conditional" => [.. Enumerable.Range(0, 6).Select(i => StudyReportFixture.Trial(i, TrialState.Complete, i,
                i % 2 == 0 ? new() { ["x"] = Math.Pow(10, -i / 3.0), ["c"] = 0 } : new() { ["c"] = 1 }, fx))],
            _ => [StudyReportFixture.Trial(0, TrialState.Running, null, new() { ["x"] = 0.01 }, fx)],
        };
        var notes = new List<string>();
        var report = StudyReport.Build(record, trials, notes.Add);
        string html = report.ToHtml();
        Assert.DoesNotContain("NaN", html);
        Assert.DoesNotContain("Infinity", html);
        foreach (var f in StudyReport.Figures(record, trials)) SvgAssert.WellFormed(f.Svg);
        Assert.All(notes, n => Assert.DoesNotContain('\n', n));
        if (kind is "none" or "failed" or "running") Assert.Contains(notes, n => n.StartsWith("Optimization history", StringComparison.Ordinal));
        if (kind is "one" or "single-value") Assert.Contains(notes, n => n.StartsWith("Parameter importances", StringComparison.Ordinal));
        if (kind != "none") Assert.Contains("Timeline", html);
        string dir = Path.Combine(Path.GetTempPath(), "atelier-studyreport-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = StudyReport.Write(record, trials, Path.Combine(dir, "report.html"));
            Assert.True(File.Exists(path));
            Assert.Equal(StudyReport.Figures(record, trials).Count, Directory.GetFiles(Path.Combine(dir, "report-figures"), "*.svg").Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

public sealed class StudyReportScaleTests
{
    [Fact]
    public void Importances_and_figures_of_a_thousand_trials_take_seconds_not_minutes()
    {
        var random = new Random(11);
        var dist = new Dictionary<string, Distribution> { ["a"] = new FloatDistribution(0, 1), ["b"] = new FloatDistribution(1e-5, 1, log: true), ["c"] = new CategoricalDistribution(["p", "q", "r"]) };
        var trials = Enumerable.Range(0, 1000).Select(i =>
        {
            double a = random.NextDouble(), b = Math.Pow(10, -5 * random.NextDouble()), c = random.Next(3);
            return StudyReportFixture.Trial(i, TrialState.Complete, a * a + 0.2 * c + 0.01 * random.NextDouble(), new() { ["a"] = a, ["b"] = b, ["c"] = c }, dist);
        }).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var importance = ParameterImportance.Compute(trials);
        Assert.Equal("a", importance[0].Key);
        Assert.True(importance.Single(p => p.Key == "b").Value < 0.05);
        Assert.Equal(7, StudyReport.Figures(StudyReportFixture.Record(), trials).Count); // no intermediate values
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{clock.Elapsed}");
    }
}
