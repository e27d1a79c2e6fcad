using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Atelier.Server;

/// <summary>
/// `atelier serve`: one Kestrel server with the pages (<see cref="Pages.PageEndpoints"/>) and the versioned JSON API
/// (<see cref="Api.ApiEndpoints"/>) over the run store. Thin: it parses, calls the library, returns HTML or JSON.
/// </summary>
public static class AtelierServer
{
    public static WebApplication Build(ServerOptions options)
    {
        if (!options.IsLoopback && string.IsNullOrEmpty(options.Token))
            throw new ArgumentException($"--host {options.Host} opens the server to other machines: give --token SECRET, which every request must then carry.");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "atelier" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':') && !options.Host.StartsWith('[') ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RunCatalog>();
        Api.ApiEndpoints.AddServices(builder.Services, options);
        var app = builder.Build();
        app.Use(SecurityHeaders);
        Api.ApiEndpoints.UseMiddleware(app);
        if (options.Token is { } token) app.Use(RequireToken(token));
        Api.ApiEndpoints.Map(app);
        Pages.PageEndpoints.Map(app);
        return app;
    }

    /// <summary>The address the server listens on once started (the real port when 0 was asked).</summary>
    public static string Address(WebApplication app) => app.Urls.First();

    private static async Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        // Everything the pages need is served from here: no CDN, no inline scripts from elsewhere, works offline.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        await next();
    }

    /// <summary>A request carries the token as `Authorization: Bearer T`, or `?token=T` (for the pages opened in a browser).</summary>
    private static Func<HttpContext, Func<Task>, Task> RequireToken(string token) => async (context, next) =>
    {
        string? given = context.Request.Headers.Authorization.ToString() is { Length: > 7 } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
            ? auth[7..] : context.Request.Query["token"].ToString();
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given ?? ""), System.Text.Encoding.UTF8.GetBytes(token)))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { title = "This server needs its token: send `Authorization: Bearer TOKEN` or add ?token=TOKEN.", status = 401 });
            return;
        }
        await next();
    };
}
