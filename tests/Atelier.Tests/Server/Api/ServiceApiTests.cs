using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Server.Api;

namespace Atelier.Tests.Server.Api;

/// <summary>Health, readiness, metrics, the OpenAPI document, and the refusals that wrap every route.</summary>
[Collection(ApiCollection.Name)]
public sealed class ServiceApiTests(ApiWorkspace workspace)
{
    private HttpClient Client => workspace.Server.Client;

    [Fact]
    public async Task Health_and_readiness_answer_json()
    {
        Assert.Equal("live", (await ApiAssert.Json(await Client.GetAsync("/healthz"))).GetProperty("status").GetString());
        var ready = await ApiAssert.Json(await Client.GetAsync("/readyz"));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Single(ready.GetProperty("models").EnumerateArray());
    }

    [Fact]
    public async Task Metrics_count_requests_latency_predictions_and_batches_in_prometheus_text()
    {
        var png = new ByteArrayContent(TestImages.Shape());
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await ApiAssert.Json(await Client.PostAsync("/api/v1/predict", png));
        await Client.GetAsync("/api/v1/runs/no-such-run");
        var response = await Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Matches(@"atelier_http_requests_total\{route=""/api/v1/predict"",method=""POST"",status=""200""\} [1-9]", text);
        Assert.Matches(@"atelier_http_requests_total\{route=""/api/v1/runs/\{\*\*id\}"",method=""GET"",status=""404""\} [1-9]", text);
        Assert.Contains("# TYPE atelier_http_request_duration_seconds histogram", text);
        Assert.Matches(@"atelier_http_request_duration_seconds_bucket\{le=""\+Inf""\} [1-9]", text);
        Assert.Matches(@"atelier_predictions_total\{model=""[^""]+"",class=""[^""]+""\} [1-9]", text);
        Assert.Matches(@"atelier_prediction_batch_size_count [1-9]", text);
        Assert.Contains("atelier_models_loaded 1", text);
        // Every sample line is "name{labels} value" or "name value": the format Prometheus parses.
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
            Assert.Matches(@"^[a-z_]+(\{[a-z_]+=""([^""\\]|\\.)*""(,[a-z_]+=""([^""\\]|\\.)*"")*\})? [0-9.eE+-]+$", line);
    }

    [Fact]
    public async Task The_openapi_document_parses_and_describes_the_api()
    {
        var doc = await ApiAssert.Json(await Client.GetAsync("/openapi/v1.json"));
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/v1/runs", "/api/v1/runs/{id}", "/api/v1/experiments", "/api/v1/experiments/{name}", "/api/v1/experiments/{name}/runs", "/api/v1/predict", "/api/v1/models", "/healthz", "/readyz" })
            Assert.Contains(path, paths);
    }

    [Theory]
    [InlineData("/api/v1/nothing")]
    [InlineData("/api/v2/runs")]
    [InlineData("/../../etc/passwd")]
    [InlineData("/api/v1/%2e%2e/%2e%2e/etc/passwd")]
    public async Task Unknown_addresses_are_404_problems(string path) =>
        await ApiAssert.Problem(await Client.GetAsync(path), HttpStatusCode.NotFound);

    [Fact]
    public async Task A_wrong_method_is_a_405_problem() =>
        await ApiAssert.Problem(await Client.GetAsync("/api/v1/predict"), HttpStatusCode.MethodNotAllowed);

    [Fact]
    public async Task A_client_over_the_rate_limit_gets_429_with_retry_after()
    {
        await using var server = await RunningServer.StartAsync(workspace.Options with { Limits = new ApiLimits { RatePermits = 5, RateWindow = TimeSpan.FromMinutes(1) } });
        for (int i = 0; i < 5; i++) await ApiAssert.Json(await server.Client.GetAsync("/healthz"));
        var refused = await server.Client.GetAsync("/api/v1/runs");
        Assert.Contains("5 per 60 seconds", await ApiAssert.Problem(refused, (HttpStatusCode)429));
        Assert.Equal("60", refused.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task A_token_is_required_off_loopback()
    {
        // Bound to loopback (the test cannot open the machine), but with a token every request must carry it.
        await using var server = await RunningServer.StartAsync(workspace.Options with { Token = "s3cret" });
        var refused = await server.Client.GetAsync("/api/v1/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("token", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.GetAsync("/api/v1/runs?token=wrong")).StatusCode);
        await ApiAssert.Json(await server.Client.GetAsync("/api/v1/runs?token=s3cret"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        await ApiAssert.Json(await server.Client.SendAsync(request));
        Assert.Throws<ArgumentException>(() => Atelier.Server.AtelierServer.Build(workspace.Options with { Host = "0.0.0.0" }));
    }
}
