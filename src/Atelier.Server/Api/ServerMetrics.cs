using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Atelier.Server.Api;

/// <summary>
/// The counters behind GET /metrics, in Prometheus' text format (0.0.4): requests by route pattern, method and status,
/// a request-latency histogram, predictions by model and top class, and the sizes of the batches the workers ran.
/// Route patterns (not paths) label requests, so a client cannot grow the label set.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly double[] LatencyBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] BatchBounds = [1, 2, 4, 8, 16, 32, 64, 128];

    private readonly ConcurrentDictionary<(string Route, string Method, int Status), long[]> requests = new();
    private readonly ConcurrentDictionary<(string Model, string Class), long[]> predictions = new();
    private readonly Histogram latency = new(LatencyBounds);
    private readonly Histogram batches = new(BatchBounds);

    public void RecordRequest(string route, string method, int status, double seconds)
    {
        Interlocked.Increment(ref requests.GetOrAdd((route, method, status), _ => new long[1])[0]);
        latency.Observe(seconds);
    }

    public void RecordPrediction(string model, string className) =>
        Interlocked.Increment(ref predictions.GetOrAdd((model, className), _ => new long[1])[0]);

    public void RecordBatch(int size) => batches.Observe(size);

    /// <summary>The exposition text; <paramref name="modelsLoaded"/> is a gauge read at scrape time.</summary>
    public string Render(int modelsLoaded)
    {
        var text = new StringBuilder();
        text.Append("# HELP atelier_http_requests_total HTTP requests answered, by route pattern, method and status.\n");
        text.Append("# TYPE atelier_http_requests_total counter\n");
        foreach (var ((route, method, status), count) in requests.OrderBy(p => p.Key.Route, StringComparer.Ordinal).ThenBy(p => p.Key.Method).ThenBy(p => p.Key.Status))
            text.Append(CultureInfo.InvariantCulture, $"atelier_http_requests_total{{route=\"{Escape(route)}\",method=\"{Escape(method)}\",status=\"{status}\"}} {Volatile.Read(ref count[0])}\n");
        latency.Write(text, "atelier_http_request_duration_seconds", "Time from a request's arrival to its answer, in seconds.");
        text.Append("# HELP atelier_predictions_total Images classified, by model and top class.\n");
        text.Append("# TYPE atelier_predictions_total counter\n");
        foreach (var ((model, cls), count) in predictions.OrderBy(p => p.Key.Model, StringComparer.Ordinal).ThenBy(p => p.Key.Class, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"atelier_predictions_total{{model=\"{Escape(model)}\",class=\"{Escape(cls)}\"}} {Volatile.Read(ref count[0])}\n");
        batches.Write(text, "atelier_prediction_batch_size", "Images per forward pass the prediction workers ran.");
        text.Append("# HELP atelier_models_loaded Models loaded for prediction.\n# TYPE atelier_models_loaded gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"atelier_models_loaded {modelsLoaded}\n");
        return text.ToString();
    }

    /// <summary>Label values escape backslash, double quote and newline (the format's rule); model and class names come from files.</summary>
    public static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] counts = new long[bounds.Length + 1];
        private readonly Lock gate = new();
        private double sum;

        public void Observe(double value)
        {
            int i = 0;
            while (i < bounds.Length && value > bounds[i]) i++;
            lock (gate)
            {
                counts[i]++;
                sum += value;
            }
        }

        public void Write(StringBuilder text, string name, string help)
        {
            long[] snapshot;
            double total;
            lock (gate)
            {
                snapshot = (long[])counts.Clone();
                total = sum;
            }
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
            long cumulative = 0;
            for (int i = 0; i < bounds.Length; i++)
            {
                cumulative += snapshot[i];
                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i].ToString("R", CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
            }
            cumulative += snapshot[^1];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {cumulative}\n");
            text.Append(CultureInfo.InvariantCulture, $"{name}_sum {total.ToString("R", CultureInfo.InvariantCulture)}\n{name}_count {cumulative}\n");
        }
    }
}
