using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>
/// /api/v1/experiments: the experiments that have runs, one experiment's comparison table, its runs. A name is found
/// only among the store's experiments.
/// </summary>
public static class ExperimentEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var experiments = v1.MapGroup("/experiments").WithTags("experiments");
        experiments.MapGet("", List).WithName("ListExperiments").WithSummary("The experiments that have runs, by name.");
        experiments.MapGet("/{name}", Get).WithName("GetExperiment").WithSummary("An experiment's comparison table.");
        experiments.MapGet("/{name}/runs", Runs).WithName("GetExperimentRuns").WithSummary("An experiment's runs, as the run list shows them.");
    }

    public static Ok<List<ExperimentSummary>> List(RunCatalog catalog)
    {
        var runs = catalog.Runs();
        var list = new List<ExperimentSummary>();
        foreach (var group in runs.Where(r => r.Experiment is not null).GroupBy(r => r.Experiment!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var best = group.Where(r => r.Status == "finished" && Json.Finite(r.TestAccuracy) is not null).MaxBy(r => r.TestAccuracy);
            list.Add(new ExperimentSummary(group.Key, group.Count(), group.Count(r => r.Status == "finished"), best?.Id, best?.TestAccuracy));
        }
        return TypedResults.Ok(list);
    }

    public static Results<Ok<ExperimentDetail>, ProblemHttpResult> Get(RunCatalog catalog, string name)
    {
        var runs = catalog.Runs(name);
        if (runs.Count == 0) return Unknown(name);
        var rows = new List<ExperimentRow>();
        foreach (var run in runs.OrderBy(r => r.Started).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var (data, unreadable) = catalog.TryLoad(run);
            double? Metric(string key) => data is null ? null : Json.Finite(data.Metric(key));
            rows.Add(new ExperimentRow(run.Id, run.Model, run.Status, run.Epochs, run.BestEpoch, Json.Finite(run.TestAccuracy), Metric("test_loss"),
                Metric("macro_f1"), data is null ? null : Json.Finite(data.TrainingSeconds), unreadable));
        }
        return TypedResults.Ok(new ExperimentDetail(name, rows));
    }

    public static Results<Ok<List<RunSummary>>, ProblemHttpResult> Runs(RunCatalog catalog, string name)
    {
        var runs = catalog.Runs(name);
        return runs.Count == 0 ? Unknown(name) : TypedResults.Ok(runs.Select(RunSummary.Of).ToList());
    }

    private static ProblemHttpResult Unknown(string name) =>
        Problems.NotFound($"No experiment is named '{RunEndpoints.Shorten(name)}': GET /api/v1/experiments lists the experiments that have runs.");
}
