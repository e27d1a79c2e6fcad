using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Atelier.Server.Pages;

/// <summary>
/// The server-rendered pages: runs, a run (with its chart fragments and live events), compare, an experiment, predict.
/// A run id with '/' (an experiment's run) takes the rest of the path, so the run's sub-resources live under their own
/// prefixes (/charts/, /events/) rather than after the id.
/// </summary>
public static class PageEndpoints
{
    public static void Map(WebApplication app)
    {
        Assets.Map(app);
        app.MapGet("/", (RunCatalog catalog) => RunsPage.Render(catalog));
        app.MapGet("/runs/{**id}", (RunCatalog catalog, string? id, string? part, string? smoothing) => RunPage.Render(catalog, id, part, smoothing));
        app.MapGet("/charts/{**id}", (RunCatalog catalog, string? id, string? kind, string? smoothing) => RunPage.Chart(catalog, id, kind, smoothing));
        app.MapGet("/events/{**id}", (HttpContext context, RunCatalog catalog, IHostApplicationLifetime lifetime, string? id) => RunEvents.Stream(context, catalog, lifetime, id));
        app.MapGet("/compare", (RunCatalog catalog, HttpRequest request) => ComparePage.Render(catalog, request));
        app.MapGet("/compare.csv", (RunCatalog catalog, HttpRequest request) => ComparePage.Csv(catalog, request));
        app.MapGet("/experiments/{**name}", (RunCatalog catalog, string? name) => ExperimentPage.Render(catalog, name));
        app.MapGet("/predict", PredictPage.Render);
        app.MapGet("/studies", (ServerOptions options) => StudyPage.List(options));
        app.MapGet("/studies/{**name}", (ServerOptions options, string? name) => StudyPage.Render(options, name));
    }
}
