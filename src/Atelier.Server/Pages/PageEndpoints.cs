using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>The server-rendered pages: runs, a run, compare, an experiment, predict.</summary>
public static class PageEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/", (RunCatalog catalog) => Results.Content($"<!doctype html><title>Atelier</title><p>{catalog.Runs().Count} runs</p>", "text/html; charset=utf-8"));
    }
}
