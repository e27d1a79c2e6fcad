using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Server.Api;

/// <summary>The JSON API, versioned under /api/v1, plus /healthz, /readyz and /metrics.</summary>
public static class ApiEndpoints
{
    public static void AddServices(IServiceCollection services, ServerOptions options)
    {
    }

    public static void Map(WebApplication app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapGet("/runs", (RunCatalog catalog) => Results.Ok(catalog.Runs()));
        app.MapGet("/healthz", () => Results.Ok(new { status = "live" }));
    }
}
