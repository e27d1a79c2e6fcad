using Atelier.Server.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Server.Api;

/// <summary>The JSON API, versioned under /api/v1, plus /healthz, /readyz, /metrics and the OpenAPI document.</summary>
public static class ApiEndpoints
{
    public static void AddServices(IServiceCollection services, ServerOptions options)
    {
        var limits = options.Limits;
        services.Configure<KestrelServerOptions>(k =>
        {
            k.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.AddServerHeader = false;
        });
        // Kestrel's body limit answers first; the form's own limit only must not be the smaller one.
        services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = Math.Max(limits.MaxBodyBytes, 1));
        // The default encoder escapes <, > and &: a run named "<script>" stays inert even where JSON lands in HTML.
        services.ConfigureHttpJsonOptions(j => j.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default);
        ApiMiddleware.AddServices(services, limits);
        services.AddOpenApi();

        var metrics = new ServerMetrics();
        services.AddSingleton(metrics);
        // Loaded now, not on the first request: a bad --model fails `atelier serve` at start with its sentence, and
        // /readyz is true from the first answer. The container disposes them (stopping the workers) at shutdown.
        var models = ServedModels.Load(options, new RunCatalog(options), metrics.RecordBatch);
        services.AddSingleton(_ => models);
    }

    public static void UseMiddleware(WebApplication app) => ApiMiddleware.Use(app);

    public static void Map(WebApplication app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.WithRequestTimeout(ApiMiddleware.TimeoutPolicy);
        RunEndpoints.Map(v1);
        ExperimentEndpoints.Map(v1);
        StudyEndpoints.Map(v1);
        ModelEndpoints.Map(v1);
        PredictEndpoints.Map(v1);
        HealthEndpoints.Map(app);
        app.MapOpenApi();
    }
}
