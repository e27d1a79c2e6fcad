using System.Net;
using System.Text.Json;

namespace Atelier.Tests.Server.Api;

/// <summary>/api/v1/runs and /api/v1/experiments on the real server, over a store with real runs.</summary>
[Collection(ApiCollection.Name)]
public sealed class RunApiTests(ApiWorkspace workspace)
{
    private HttpClient Client => workspace.Server.Client;

    private static List<string> Ids(JsonElement list) => list.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Lists_every_run_and_filters_by_status_and_experiment()
    {
        var all = await ApiAssert.Json(await Client.GetAsync("/api/v1/runs"));
        Assert.Equal(new[] { ApiWorkspace.HtmlRunId, ApiWorkspace.ExperimentRunId, workspace.PlainRunId }.Order(), Ids(all).Order());
        Assert.False(all[0].TryGetProperty("folder", out _)); // runs are named by id only, never by path

        var finished = await ApiAssert.Json(await Client.GetAsync("/api/v1/runs?status=finished"));
        Assert.Equal(new[] { ApiWorkspace.ExperimentRunId, workspace.PlainRunId }.Order(), Ids(finished).Order());
        var failed = await ApiAssert.Json(await Client.GetAsync("/api/v1/runs?status=failed"));
        Assert.Equal([ApiWorkspace.HtmlRunId], Ids(failed));
        var experiment = await ApiAssert.Json(await Client.GetAsync($"/api/v1/runs?experiment={ApiWorkspace.Experiment}"));
        Assert.Equal([ApiWorkspace.ExperimentRunId], Ids(experiment));
        Assert.Equal(0, (await ApiAssert.Json(await Client.GetAsync("/api/v1/runs?experiment=nothing"))).GetArrayLength());

        string title = await ApiAssert.Problem(await Client.GetAsync("/api/v1/runs?status=done"), HttpStatusCode.BadRequest);
        Assert.Contains("finished", title);
    }

    [Fact]
    public async Task A_run_has_its_options_final_and_per_class_metrics()
    {
        var run = await ApiAssert.Json(await Client.GetAsync($"/api/v1/runs/{workspace.PlainRunId}"));
        Assert.Equal(workspace.PlainRunId, run.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal("finished", run.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal("mlp", run.GetProperty("options").GetProperty("model").GetString());
        double accuracy = run.GetProperty("metrics").GetProperty("test_accuracy").GetDouble();
        Assert.InRange(accuracy, 0.4, 1.0); // one epoch on 600 images is far above chance (0.1)
        Assert.Equal(accuracy, run.GetProperty("run").GetProperty("testAccuracy").GetDouble(), 6);
        var classes = run.GetProperty("classes");
        Assert.Equal(10, classes.GetArrayLength());
        Assert.Equal("Trouser", classes[1].GetProperty("name").GetString());
        Assert.Equal(200, classes.EnumerateArray().Sum(c => c.GetProperty("support").GetInt64()));
        Assert.Equal(10, run.GetProperty("confusionMatrix").GetArrayLength());
        Assert.True(run.GetProperty("hasCheckpoint").GetBoolean());
    }

    [Fact]
    public async Task An_experiment_run_is_found_by_its_id_with_a_slash_and_has_its_history()
    {
        var run = await ApiAssert.Json(await Client.GetAsync($"/api/v1/runs/{ApiWorkspace.ExperimentRunId}"));
        Assert.Equal(ApiWorkspace.Experiment, run.GetProperty("run").GetProperty("experiment").GetString());
        Assert.Equal("adam", run.GetProperty("options").GetProperty("optimizer").GetString());

        var metrics = await ApiAssert.Json(await Client.GetAsync($"/api/v1/runs/{ApiWorkspace.ExperimentRunId}/metrics"));
        var epochs = metrics.GetProperty("epochs");
        Assert.Equal(2, epochs.GetArrayLength());
        Assert.Equal([1, 2], epochs.EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.True(epochs[0].GetProperty("trainLoss").GetDouble() > 0);
        var plain = await ApiAssert.Json(await Client.GetAsync($"/api/v1/runs/{workspace.PlainRunId}/metrics"));
        Assert.Equal(1, plain.GetProperty("epochs").GetArrayLength());
    }

    [Fact]
    public async Task Experiments_list_their_comparison_table_and_runs()
    {
        var list = await ApiAssert.Json(await Client.GetAsync("/api/v1/experiments"));
        var names = list.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal([ApiWorkspace.HtmlExperiment, ApiWorkspace.Experiment], names);
        var optimizers = list.EnumerateArray().Single(e => e.GetProperty("name").GetString() == ApiWorkspace.Experiment);
        Assert.Equal(ApiWorkspace.ExperimentRunId, optimizers.GetProperty("bestRun").GetString());

        var detail = await ApiAssert.Json(await Client.GetAsync($"/api/v1/experiments/{ApiWorkspace.Experiment}"));
        var row = Assert.Single(detail.GetProperty("runs").EnumerateArray());
        Assert.Equal(ApiWorkspace.ExperimentRunId, row.GetProperty("id").GetString());
        Assert.True(row.GetProperty("macroF1").GetDouble() > 0);
        var runs = await ApiAssert.Json(await Client.GetAsync($"/api/v1/experiments/{ApiWorkspace.Experiment}/runs"));
        Assert.Equal([ApiWorkspace.ExperimentRunId], Ids(runs));

        await ApiAssert.Problem(await Client.GetAsync("/api/v1/experiments/nothing"), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await Client.GetAsync("/api/v1/experiments/nothing/runs"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await ApiAssert.Json(await Client.GetAsync("/api/v1/studies"))).GetArrayLength());
        await ApiAssert.Problem(await Client.GetAsync("/api/v1/studies/any"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/v1/runs/no-such-run")]
    [InlineData("/api/v1/runs/no-such-run/metrics")]
    [InlineData("/api/v1/runs/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/api/v1/runs/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd/metrics")]
    [InlineData("/api/v1/runs/%2Fetc%2Fpasswd")]
    [InlineData("/api/v1/runs//etc/passwd")]
    [InlineData("/api/v1/runs/optimizers%2Fadam")]
    [InlineData("/api/v1/runs/optimizers%252Fadam")]
    [InlineData("/api/v1/runs/..%5C..%5Catelier.db")]
    [InlineData("/api/v1/runs/atelier.db")]
    [InlineData("/api/v1/experiments/..%2F..")]
    [InlineData("/api/v1/experiments/%2Fetc")]
    public async Task Unknown_ids_and_path_escapes_are_404_problems_and_never_read_a_file(string path)
    {
        var response = await Client.GetAsync(path);
        string title = await ApiAssert.Problem(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain("root:", title);
        Assert.DoesNotContain("SQLite", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Html_in_a_run_stays_data_in_json()
    {
        var response = await Client.GetAsync("/api/v1/runs?status=failed");
        string body = await response.Content.ReadAsStringAsync();
        // The JSON encoder escapes <, > and &: nothing a browser could run even if the JSON were shown as HTML.
        Assert.DoesNotContain("<script>", body);
        Assert.DoesNotContain("<img", body);
        var run = (await ApiAssert.Json(response))[0];
        Assert.Equal(ApiWorkspace.HtmlRunId, run.GetProperty("id").GetString());
        Assert.Equal(ApiWorkspace.HtmlExperiment, run.GetProperty("experiment").GetString());
        Assert.Equal("<img src=x onerror=alert(1)>", run.GetProperty("message").GetString());

        // Each segment escaped, the slash of "</script>" kept: an id's '/' is a path separator, as "optimizers/adam"'s.
        var detail = await Client.GetAsync("/api/v1/runs/" + string.Join('/', ApiWorkspace.HtmlRunId.Split('/').Select(Uri.EscapeDataString)));
        var json = await ApiAssert.Json(detail);
        Assert.Equal(ApiWorkspace.HtmlRunId, json.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("options").ValueKind); // its folder does not exist
        Assert.Equal("nosniff", detail.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
