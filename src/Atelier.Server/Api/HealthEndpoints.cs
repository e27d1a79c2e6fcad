using Atelier.Server.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Atelier.Server.Api;

/// <summary>Liveness, readiness (a model is loaded) and the Prometheus scrape, outside the versioned API.</summary>
public static class HealthEndpoints
{
    public sealed record Health(string Status, IReadOnlyList<string>? Models = null, string? Reason = null);

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Health("live"))).WithTags("health").WithSummary("The server is up.");
        app.MapGet("/readyz", Ready).WithTags("health").WithSummary("A model is loaded for prediction (503 otherwise).");
        app.MapGet("/metrics", (ServerMetrics metrics, ServedModels models) =>
                TypedResults.Text(metrics.Render(models.All.Count), "text/plain; version=0.0.4; charset=utf-8"))
            .WithTags("health").WithSummary("Prometheus metrics.");
    }

    public static Results<Ok<Health>, JsonHttpResult<Health>> Ready(ServedModels models) => models.Ready
        ? TypedResults.Ok(new Health("ready", models.All.Select(m => m.Name).ToList()))
        : TypedResults.Json(new Health("not ready", [], models.Unavailable), statusCode: StatusCodes.Status503ServiceUnavailable);
}
