using System.Net;
using Atelier.Server.Pages;

namespace Atelier.Tests.Server.Pages;

/// <summary>Every page over HTTP from the real server: content, 404s, escaping of what users named, and no path escapes.</summary>
[Collection("pages server")]
public sealed class PageTests(PagesServer server)
{
    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Get(string path)
    {
        var response = await server.Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task<string> Page(string path)
    {
        var (status, body, response) = await Get(path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status}\n{body}");
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        return body;
    }

    [Fact]
    public async Task The_runs_page_lists_every_run_with_model_status_accuracy_and_experiment()
    {
        string html = await Page("/");
        foreach (var id in new[] { server.Single, server.SweepA, server.SweepB })
        {
            Assert.Contains($"href=\"{WebUtility.HtmlEncode(Html.RunUrl(id))}\"", html);
            Assert.Contains($"value=\"{WebUtility.HtmlEncode(id)}\"", html); // the compare checkbox
        }
        Assert.Contains("status-finished", html);
        Assert.Contains(">mlp<", html);
        Assert.Contains("href=\"/experiments/sweep\"", html);
        Assert.Matches(@">\d{1,3}\.\d\d%<", html);
        Assert.Contains("runs.js", html);
        Assert.Contains("action=\"/compare\"", html);
    }

    [Fact]
    public async Task A_run_page_shows_curves_per_class_metrics_and_confusion_matrix()
    {
        string html = await Page(Html.RunUrl(server.Single));
        Assert.Contains($"<h1>{server.Single}</h1>", html);
        Assert.Contains("id=\"smoothing\"", html);
        foreach (var kind in new[] { "loss", "accuracy", "lr" }) Assert.Contains($"data-chart=\"{kind}\"><svg", html);
        Assert.Contains("Per-class metrics", html);
        Assert.Contains("Trouser", html);
        Assert.Contains("confusion matrix", html);
        Assert.Contains("data-live=\"false\"", html);
        Assert.Contains("run.js", html);
    }

    [Fact]
    public async Task An_experiment_run_is_found_by_its_id_with_a_slash()
    {
        Assert.Contains('/', server.SweepA);
        string html = await Page(Html.RunUrl(server.SweepA));
        Assert.Contains($"<h1>{server.SweepA}</h1>", html);
        Assert.Contains("href=\"/experiments/sweep\"", html);
    }

    [Fact]
    public async Task A_chart_fragment_is_svg_and_smoothing_adds_the_smoothed_curve()
    {
        var (status, raw, response) = await Get(Html.ChartUrl(server.Single) + "?kind=loss&smoothing=0");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("image/svg+xml", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith("<svg", raw);
        Assert.DoesNotContain("smoothed", raw);
        var (_, smooth, _) = await Get(Html.ChartUrl(server.Single) + "?kind=loss&smoothing=0.6");
        Assert.Contains("train (smoothed 0.60)", smooth);
        Assert.Contains("train (raw)", smooth);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(Html.ChartUrl(server.Single) + "?kind=nope")).Status);
    }

    [Fact]
    public async Task The_results_part_is_a_fragment_the_page_swaps_in()
    {
        var (status, body, _) = await Get(Html.RunUrl(server.Single) + "?part=results");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("<h2>Test-set results</h2>", body);
        Assert.DoesNotContain("<html", body);
    }

    [Fact]
    public async Task Compare_overlays_the_runs_and_downloads_the_table_as_csv()
    {
        string query = $"?runs={Uri.EscapeDataString(server.Single)},{Uri.EscapeDataString(server.SweepA)}&runs={Uri.EscapeDataString(server.SweepB)}";
        string html = await Page("/compare" + query);
        Assert.Contains("Key metrics", html);
        Assert.Contains("Comparison: validation accuracy per epoch", html);
        foreach (var id in new[] { server.Single, server.SweepA, server.SweepB }) Assert.Contains(WebUtility.HtmlEncode(id), html);
        Assert.Contains("/compare.csv?runs=", html);

        var (status, csv, response) = await Get("/compare.csv" + query);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType?.ToString());
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("Run,Model,Training time,Accuracy", lines[0]);
        Assert.StartsWith(server.Single + ",mlp,", lines[1]);
        Assert.StartsWith(server.SweepB + ",mlp,", lines[3]);
    }

    [Fact]
    public async Task Compare_with_an_unknown_run_says_so_with_404()
    {
        var (status, body, _) = await Get("/compare?runs=no-such-run");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("There is no run \"no-such-run\"", body);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/compare.csv?runs=no-such-run")).Status);
        Assert.Contains("Pick runs", await Page("/compare"));
    }

    [Fact]
    public async Task The_experiment_page_compares_its_runs_in_order()
    {
        string html = await Page("/experiments/sweep");
        Assert.Contains("<h1>Experiment sweep</h1>", html);
        int a = html.IndexOf(WebUtility.HtmlEncode(Html.RunUrl(server.SweepA)), StringComparison.Ordinal);
        int b = html.IndexOf(WebUtility.HtmlEncode(Html.RunUrl(server.SweepB)), StringComparison.Ordinal);
        Assert.True(a > 0 && b > a, "the experiment's runs in the order they started");
        Assert.DoesNotContain(WebUtility.HtmlEncode(server.Single), html);
    }

    [Fact]
    public async Task The_predict_page_has_a_canvas_a_file_input_and_a_model_picker()
    {
        string html = await Page("/predict");
        Assert.Contains("<canvas id=\"canvas\"", html);
        Assert.Contains("type=\"file\"", html);
        Assert.Contains("<select id=\"model\"", html);
        Assert.Contains("predict.js", html);
    }

    [Theory]
    [InlineData("atelier.css", "text/css")]
    [InlineData("runs.js", "text/javascript")]
    [InlineData("run.js", "text/javascript")]
    [InlineData("predict.js", "text/javascript")]
    public async Task Assets_are_served_from_the_assembly(string name, string type)
    {
        var (status, body, response) = await Get("/assets/" + name);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith(type, response.Content.Headers.ContentType?.ToString());
        Assert.True(body.Length > 200);
    }

    [Theory]
    [InlineData("/runs/no-such-run")]
    [InlineData("/runs/")]
    [InlineData("/runs/sweep")] // an experiment is not a run
    [InlineData("/charts/no-such-run?kind=loss")]
    [InlineData("/events/no-such-run")]
    [InlineData("/experiments/no-such-experiment")]
    [InlineData("/assets/nothing.js")]
    public async Task Unknown_things_answer_a_404_page(string path)
    {
        var (status, body, response) = await Get(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("<h1>Not found</h1>", body);
    }

    [Theory]
    [InlineData("/runs/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/runs/..%2F..%2Fatelier.db")]
    [InlineData("/runs/%2E%2E%5C%2E%2E%5Catelier.db")]
    [InlineData("/experiments/..%2F..%2F..%2Fetc")]
    [InlineData("/assets/..%2Fatelier.css")]
    [InlineData("/assets/%2E%2E%2FPageEndpoints.cs")]
    [InlineData("/charts/..%2Fsweep?kind=loss")]
    [InlineData("/events/%2e%2e/atelier.db")]
    public async Task Path_escapes_find_nothing(string path)
    {
        var (status, body, _) = await Get(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("SQLite format", body);
        Assert.DoesNotContain("root:", body);
    }

    [Fact]
    public async Task A_run_folders_absolute_path_is_not_a_run_id()
    {
        var run = server.Catalog.Find(server.Single)!;
        Assert.True(Path.IsPathRooted(run.Folder));
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/runs/" + run.Folder.TrimStart('/'))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/runs/" + Uri.EscapeDataString(run.Folder))).Status);
    }

    [Fact]
    public async Task An_injected_run_and_experiment_name_appears_escaped_on_every_page()
    {
        Assert.StartsWith(PagesServer.Injection + "/", server.Hostile); // the experiment name reaches the id unchanged
        var pages = new[]
        {
            "/", Html.RunUrl(server.Hostile), Html.ExperimentUrl(PagesServer.Injection),
            Html.CompareUrl([server.Hostile, server.Single]), Html.ChartUrl(server.Hostile) + "?kind=loss",
        };
        foreach (var path in pages)
        {
            var (status, body, _) = await Get(path);
            Assert.True(status == HttpStatusCode.OK, $"{path}: {status}");
            Assert.DoesNotContain(PagesServer.Injection, body);
            Assert.DoesNotContain("<script>alert", body);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", body);
        }
        var (_, csv, _) = await Get(Html.CompareUrl([server.Hostile], "/compare.csv"));
        Assert.Contains(PagesServer.Injection, csv); // CSV is data, not markup: the name as it is
    }

    [Fact]
    public async Task The_events_of_a_finished_run_are_its_epochs_then_end()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Html.EventsUrl(server.SweepA));
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString());
        string body = await response.Content.ReadAsStringAsync(); // the stream ends: the run is not running
        Assert.Contains("id: 1\nevent: epoch\ndata: {\"epoch\":1,", body);
        Assert.Contains("id: 2\nevent: epoch\ndata: {\"epoch\":2,", body);
        Assert.EndsWith("event: end\ndata: {\"status\":\"finished\",\"epochs\":2}\n\n", body);

        string after = await server.Client.GetStringAsync(Html.EventsUrl(server.SweepA) + "?after=1");
        Assert.DoesNotContain("id: 1\n", after);
        Assert.Contains("id: 2\n", after);
    }
}
