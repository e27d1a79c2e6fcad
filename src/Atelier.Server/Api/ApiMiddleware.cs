using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Server.Api;

/// <summary>
/// What wraps every request, pages included: metrics, errors as problem JSON (no exception page, no stack trace),
/// empty error answers given a sentence, a rate limit per client address. The API group adds a request timeout.
/// </summary>
public static class ApiMiddleware
{
    public const string TimeoutPolicy = "api";

    public static void AddServices(IServiceCollection services, ApiLimits limits)
    {
        services.AddProblemDetails();
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.RatePermits, Window = limits.RateWindow, QueueLimit = 0 }));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(limits.RateWindow.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(Problems.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests,
                    $"Too many requests: this server answers {limits.RatePermits} per {limits.RateWindow.TotalSeconds:0.#} seconds from one address; wait and try again."));
            };
        });
        services.AddRequestTimeouts(o => o.AddPolicy(TimeoutPolicy, new RequestTimeoutPolicy
        {
            Timeout = limits.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context => Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"The request took longer than the {limits.RequestTimeout.TotalSeconds:0.#} seconds this server allows; try again, with fewer images."),
        }));
    }

    /// <summary>Before the token check, so refusals are counted and rate-limited too.</summary>
    public static void Use(WebApplication app)
    {
        app.Use(Measure);
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = AnswerError });
        app.UseStatusCodePages(GiveSentence);
        app.UseRateLimiter();
        app.UseRequestTimeouts();
    }

    private static async Task Measure(HttpContext context, Func<Task> next)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next();
        }
        finally
        {
            // The route pattern, not the path: "/api/v1/runs/{**id}" however many runs there are.
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            context.RequestServices.GetRequiredService<ServerMetrics>()
                .RecordRequest(route, context.Request.Method, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    private static Task AnswerError(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        return error switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                "The request body is larger than this server accepts; send a smaller one."),
            BadHttpRequestException bad => Problems.WriteAsync(context, bad.StatusCode, "The request is malformed and cannot be read; check its headers and body."),
            _ => Problems.WriteAsync(context, StatusCodes.Status500InternalServerError,
                "The server failed to answer this request because of an error of its own; try again, and report it if it persists."),
        };
    }

    /// <summary>An error answered without a body (no route, wrong method) gets its sentence as problem JSON.</summary>
    private static Task GiveSentence(StatusCodeContext status)
    {
        var context = status.HttpContext;
        int code = context.Response.StatusCode;
        string sentence = code switch
        {
            StatusCodes.Status404NotFound => $"Nothing is at {RunEndpoints.Shorten(context.Request.Path.Value ?? "/")}: the API lives under /api/v1 (runs, experiments, models, predict), its description at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed at {RunEndpoints.Shorten(context.Request.Path.Value ?? "/")}; see /openapi/v1.json for what is.",
            StatusCodes.Status415UnsupportedMediaType => "The request's Content-Type is not one this address takes; see /openapi/v1.json.",
            _ => $"The request was refused ({code}).",
        };
        return Problems.WriteAsync(context, code, sentence);
    }
}
