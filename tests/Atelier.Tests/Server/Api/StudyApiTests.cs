using System.Net;
using Atelier.Server;
using Atelier.Tests.Reports;
using Atelier.Tuning;

namespace Atelier.Tests.Server.Api;

/// <summary>/api/v1/studies and the study pages over an in-memory study storage, on the real server.</summary>
public sealed class StudyApiTests
{
    private static ServerOptions Options(IStudyStorage? storage) => new() { Runs = Path.Combine(Path.GetTempPath(), "atelier-study-api-" + Guid.NewGuid().ToString("N")[..8]), Studies = storage };

    public static InMemoryStudyStorage Storage()
    {
        var storage = new InMemoryStudyStorage { Clock = StudyReportFixture.Ticking() };
        var study = Study.CreateOrLoad("lr <sweep>", storage, StudyDirection.Minimize, new RandomSampler(seed: 5));
        study.Optimize(StudyReportFixture.Objective, trials: 12);
        Study.CreateOrLoad("empty", storage, StudyDirection.Maximize);
        return storage;
    }

    [Fact]
    public async Task Studies_are_listed_with_counts_and_best_values()
    {
        using var storage = Storage();
        await using var server = await RunningServer.StartAsync(Options(storage));
        var list = await ApiAssert.Json(await server.Client.GetAsync("/api/v1/studies"));
        Assert.Equal(2, list.GetArrayLength());
        var empty = list[0];
        Assert.Equal("empty", empty.GetProperty("name").GetString());
        Assert.Equal("maximize", empty.GetProperty("direction").GetString());
        Assert.Equal(0, empty.GetProperty("trials").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, empty.GetProperty("bestValue").ValueKind);
        var sweep = list[1];
        var trials = storage.Trials(storage.FindStudy("lr <sweep>")!.Id);
        var best = Study.Best(trials, StudyDirection.Minimize)!;
        Assert.Equal(trials.Count, sweep.GetProperty("trials").GetInt32());
        Assert.True(trials.Count >= 12); // failed trials do not count toward the 12 finished
        Assert.Equal(trials.Count(t => t.State == TrialState.Pruned), sweep.GetProperty("states").GetProperty("pruned").GetInt32());
        Assert.Equal(trials.Count(t => t.State == TrialState.Complete), sweep.GetProperty("states").GetProperty("complete").GetInt32());
        Assert.Equal(best.Value!.Value, sweep.GetProperty("bestValue").GetDouble());
        Assert.Equal(best.Number, sweep.GetProperty("bestTrial").GetInt32());
    }

    [Fact]
    public async Task A_study_answers_its_trials_with_formatted_params_and_an_unknown_one_404s()
    {
        using var storage = Storage();
        await using var server = await RunningServer.StartAsync(Options(storage));
        var study = await ApiAssert.Json(await server.Client.GetAsync("/api/v1/studies/" + Uri.EscapeDataString("lr <sweep>")));
        Assert.Equal("lr <sweep>", study.GetProperty("name").GetString());
        var trials = study.GetProperty("trials");
        Assert.Equal(storage.Trials(storage.FindStudy("lr <sweep>")!.Id).Count, trials.GetArrayLength());
        var first = trials[0];
        Assert.Equal(0, first.GetProperty("number").GetInt32());
        Assert.Contains(first.GetProperty("params").GetProperty("opt").GetString(), new[] { "adam", "sgd", "rmsprop" });
        Assert.True(first.GetProperty("intermediateValues").EnumerateObject().Any());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("worker").GetString()));
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, first.GetProperty("started").ValueKind);
        Assert.Contains(trials.EnumerateArray(), t => t.GetProperty("state").GetString() == "pruned");
        string problem = await ApiAssert.Problem(await server.Client.GetAsync("/api/v1/studies/nope"), HttpStatusCode.NotFound);
        Assert.Contains("nope", problem);

        var page = await server.Client.GetAsync("/studies/" + Uri.EscapeDataString("lr <sweep>"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Study lr &lt;sweep&gt;", html);
        Assert.DoesNotContain("<sweep>", html);
        Assert.Equal(8, html.Split("<section class=\"study-figure\">").Length - 1);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/studies/nope")).StatusCode);
        string listPage = await server.Client.GetStringAsync("/studies");
        Assert.Contains("href=\"/studies/lr%20%3Csweep%3E\"", listPage);
    }

    [Fact]
    public async Task Without_a_study_storage_there_are_no_studies()
    {
        await using var server = await RunningServer.StartAsync(Options(null));
        Assert.Equal(0, (await ApiAssert.Json(await server.Client.GetAsync("/api/v1/studies"))).GetArrayLength());
        await ApiAssert.Problem(await server.Client.GetAsync("/api/v1/studies/any"), HttpStatusCode.NotFound);
        Assert.Contains("without a study storage", await server.Client.GetStringAsync("/studies"));
    }
}

public sealed class StudyPageLiveTests
{
    [Fact]
    public async Task A_study_with_a_running_trial_reloads_and_one_without_does_not()
    {
        using var storage = new InMemoryStudyStorage();
        var study = Study.CreateOrLoad("live", storage);
        study.Optimize(StudyReportFixture.Objective, trials: 3);
        await using var server = await RunningServer.StartAsync(new ServerOptions { Runs = Path.Combine(Path.GetTempPath(), "atelier-study-live-" + Guid.NewGuid().ToString("N")[..8]), Studies = storage });
        Assert.DoesNotContain("data-live", await server.Client.GetStringAsync("/studies/live"));
        var running = study.Ask()!;
        running.SuggestFloat("x", 1e-4, 1, log: true);
        string html = await server.Client.GetStringAsync("/studies/live");
        Assert.Contains("data-live=\"5\"", html);
        Assert.Contains("study.js", html);
        Assert.DoesNotContain("NaN", html);
        var json = await ApiAssert.Json(await server.Client.GetAsync("/api/v1/studies/live"));
        Assert.Equal("running", json.GetProperty("trials").EnumerateArray().Last().GetProperty("state").GetString());
    }
}
