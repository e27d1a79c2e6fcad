using System.Text.Json;
using Atelier.Training;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Atelier.Server.Pages;

/// <summary>
/// `/events/{id}`: server-sent events for a run page. The server polls the run (store row and metrics.json) about
/// once a second and sends each new epoch as an `epoch` event with the epoch number as its event id; when the run
/// stops running it sends `end` with the status and closes. A page passes `?after=N` (the epochs it drew); a
/// reconnecting EventSource sends Last-Event-ID instead, so no epoch is sent twice or missed.
/// </summary>
public static class RunEvents
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>A comment line this often lets a proxy keep the stream open and shows a gone client as a failed write.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task Stream(HttpContext context, RunCatalog catalog, IHostApplicationLifetime lifetime, string? id)
    {
        if (string.IsNullOrEmpty(id) || catalog.Find(id) is null)
        {
            await Layout.NotFound($"There is no run \"{id}\" in this run store.").ExecuteAsync(context);
            return;
        }
        int sent = After(context);
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        // The client leaving, or the server stopping, ends the loop: an open stream must not hold up shutdown.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var quietSince = DateTime.UtcNow;
        try
        {
            await response.WriteAsync("retry: 2000\n\n", stop.Token);
            await response.Body.FlushAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                // Status first, history second: a run that ends between the two reads still has every epoch sent below.
                var run = catalog.Find(id);
                string status = run?.Status ?? "deleted";
                var history = run is null ? [] : catalog.TryLoad(run).Data?.History ?? [];
                for (; sent < history.Count; sent++)
                    await response.WriteAsync($"id: {sent + 1}\nevent: epoch\ndata: {Json(history[sent])}\n\n", stop.Token);
                if (status != "running")
                {
                    await response.WriteAsync($"event: end\ndata: {JsonSerializer.Serialize(new { status, epochs = history.Count })}\n\n", stop.Token);
                    await response.Body.FlushAsync(stop.Token);
                    return;
                }
                if (DateTime.UtcNow - quietSince > KeepAlive)
                {
                    await response.WriteAsync(": alive\n\n", stop.Token);
                    quietSince = DateTime.UtcNow;
                }
                await response.Body.FlushAsync(stop.Token);
                await Task.Delay(Poll, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the server is stopping: nothing to answer.
        }
    }

    /// <summary>Epochs the client has: Last-Event-ID on a reconnect, else ?after=N, else none.</summary>
    private static int After(HttpContext context)
    {
        string? text = context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } last ? last : context.Request.Query["after"].ToString();
        return int.TryParse(text, out int n) && n >= 0 ? n : 0;
    }

    /// <summary>One epoch; a metric that is not a number (no validation split) is null, which JSON can hold.</summary>
    private static string Json(EpochMetrics m) => JsonSerializer.Serialize(new
    {
        epoch = m.Epoch, trainLoss = Finite(m.TrainLoss), trainAccuracy = Finite(m.TrainAccuracy), valLoss = Finite(m.ValLoss),
        valAccuracy = Finite(m.ValAccuracy), learningRate = Finite(m.LearningRate), seconds = Finite(m.Seconds),
    });

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
