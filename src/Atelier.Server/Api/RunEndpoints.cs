using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>
/// /api/v1/runs: the list (filtered by status or experiment), one run, and its per-epoch metrics. An experiment run's
/// id holds a '/' ("optimizers/adam"), so one catch-all route takes the id and an optional "/metrics" after it; the
/// id is only ever looked up in the run store, never made into a path, so `../` or an absolute path finds nothing.
/// </summary>
public static class RunEndpoints
{
    public static readonly string[] Statuses = ["running", "finished", "interrupted", "failed"];

    private const string MetricsSuffix = "/metrics";

    public static void Map(RouteGroupBuilder v1)
    {
        var runs = v1.MapGroup("/runs").WithTags("runs");
        runs.MapGet("", List).WithName("ListRuns").WithSummary("Every run in the store, newest first (?status=, ?experiment=).");
        runs.MapGet("/{**id}", Get).WithName("GetRun")
            .WithSummary("A run by its store id (options, final and per-class metrics); append /metrics for its per-epoch history.")
            .Produces<RunDetail>().Produces<RunMetrics>();
    }

    public static Results<Ok<List<RunSummary>>, ProblemHttpResult> List(RunCatalog catalog, string? status, string? experiment)
    {
        if (status is not null && !Statuses.Contains(status))
            return Problems.BadRequest($"?status= must be one of {string.Join(", ", Statuses)}; got '{Shorten(status)}'.");
        var rows = catalog.Runs(string.IsNullOrEmpty(experiment) ? null : experiment);
        return TypedResults.Ok(rows.Where(r => status is null || r.Status == status).Select(RunSummary.Of).ToList());
    }

    public static IResult Get(RunCatalog catalog, string id)
    {
        // An exact id wins: an experiment's run labelled "metrics" is "x/metrics" itself, not run x's history.
        if (catalog.Find(id) is { } run)
        {
            var (data, unreadable) = catalog.TryLoad(run);
            return TypedResults.Ok(RunDetail.Of(run, data, unreadable));
        }
        if (id.EndsWith(MetricsSuffix, StringComparison.Ordinal) && catalog.Find(id[..^MetricsSuffix.Length]) is { } owner)
        {
            var (data, unreadable) = catalog.TryLoad(owner);
            return TypedResults.Ok(new RunMetrics(owner.Id, owner.Status, (data?.History ?? []).Select(EpochJson.Of).ToList(), unreadable));
        }
        return Problems.NotFound($"No run has the id '{Shorten(id)}': GET /api/v1/runs lists the runs and their ids.");
    }

    /// <summary>Echoes at most 100 characters of what the client sent, so a huge id does not come back whole.</summary>
    public static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
