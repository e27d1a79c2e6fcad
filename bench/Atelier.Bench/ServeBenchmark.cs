using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Data;
using Atelier.Models;
using Atelier.Reports;
using Atelier.Serialization;
using Atelier.Server;
using Atelier.Server.Prediction;
using Atelier.Tensors;
using Atelier.Training;

namespace Atelier.Bench;

/// <summary>
/// `serve`: a bounded load test of `atelier serve`'s POST /api/v1/predict on loopback, the real server in this
/// process: N requests from C concurrent clients, each one PNG, with request batching and without (max batch 1).
/// Reports requests/s, p50/p90/p99/max latency, errors and the mean batch the worker ran.
/// </summary>
internal static class ServeBenchmark
{
    public static int Run(string[] args)
    {
        int requests = 5000, clients = 16, rounds = 1;
        string model = ModelZoo.DefaultModel;
        string? checkpoint = null;
        var modes = new List<(string Name, BatchingOptions Options)>();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--requests": requests = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--model": model = Next(); break;
                case "--checkpoint": checkpoint = Next(); break;
                case "--mode": modes.Add(ParseMode(Next())); break; // batch:delay-ms, e.g. 64:2, 64:0, 1:0
                case "--quick": requests = 500; break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --requests N --clients N --rounds N --model NAME --checkpoint FILE --mode BATCH:DELAY_MS --quick"); return 2;
            }
        }
        if (modes.Count == 0) modes = [ParseMode("1:0"), ParseMode("64:0"), ParseMode("64:2")];

        string root = Path.Combine(Path.GetTempPath(), "atelier-bench-serve-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            checkpoint ??= RandomCheckpoint(model, Path.Combine(root, $"{model}.safetensors"));
            var images = Enumerable.Range(0, 16).Select(Garment).ToArray();
            Console.WriteLine($"serve: {requests} requests from {clients} clients, {Checkpoint.Load(checkpoint).ModelName} ({Path.GetFileName(checkpoint)}), {Environment.ProcessorCount} cores; load before: {LoadAverage()}");
            Console.WriteLine($"| batching | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | mean batch |");
            Console.WriteLine($"|---|---|---|---|---|---|---|---|");
            for (int round = 0; round < rounds; round++)
                foreach (var (name, batching) in modes)
                {
                    var r = Measure(checkpoint, root, batching, images, requests, clients).GetAwaiter().GetResult();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {name} | {r.PerSecond:0} | {r.P50:0.0} | {r.P90:0.0} | {r.P99:0.0} | {r.Max:0.0} | {r.Errors} | {r.MeanBatch:0.0} |"));
                }
            Console.WriteLine($"load after: {LoadAverage()}");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record Result(double PerSecond, double P50, double P90, double P99, double Max, int Errors, double MeanBatch);

    private static (string, BatchingOptions) ParseMode(string text)
    {
        var parts = text.Split(':');
        int batch = int.Parse(parts[0], CultureInfo.InvariantCulture);
        double delay = parts.Length > 1 ? double.Parse(parts[1], CultureInfo.InvariantCulture) : 0;
        string name = batch == 1 ? "off (max batch 1)" : $"max {batch}, wait {delay} ms";
        return (name, new BatchingOptions { MaxBatch = batch, MaxDelay = TimeSpan.FromMilliseconds(delay) });
    }

    private static async Task<Result> Measure(string checkpoint, string root, BatchingOptions batching, byte[][] images, int requests, int clients)
    {
        var options = new ServerOptions { Runs = Path.Combine(root, "runs"), Port = 0, Models = [checkpoint], Batching = batching };
        var app = AtelierServer.Build(options);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(AtelierServer.Address(app)), Timeout = TimeSpan.FromSeconds(30) };
            await Load(client, images, Math.Min(400, requests), clients, new double[Math.Min(400, requests)]); // warm-up: JIT, connections, pools
            var (batchSum0, batchCount0) = await BatchTotals(client);
            var latencies = new double[requests];
            var clock = Stopwatch.StartNew();
            int errors = await Load(client, images, requests, clients, latencies);
            double seconds = clock.Elapsed.TotalSeconds;
            var (batchSum, batchCount) = await BatchTotals(client);
            Array.Sort(latencies);
            double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
            return new Result(requests / seconds, P(0.50), P(0.90), P(0.99), latencies[^1], errors, (batchSum - batchSum0) / Math.Max(1, batchCount - batchCount0));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Closed loop: each client sends its next request as soon as its last is answered. Latencies in ms.</summary>
    private static async Task<int> Load(HttpClient client, byte[][] images, int requests, int clients, double[] latencies)
    {
        int next = -1, errors = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                var content = new ByteArrayContent(images[i % images.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync("/api/v1/predict", content);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        return errors;
    }

    private static async Task<(double Sum, double Count)> BatchTotals(HttpClient client)
    {
        string text = await client.GetStringAsync("/metrics");
        double Value(string name) => text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
        return (Value("atelier_prediction_batch_size_sum"), Value("atelier_prediction_batch_size_count"));
    }

    /// <summary>The zoo model with its seeded initial weights, saved as a checkpoint `atelier train` would write.</summary>
    private static string RandomCheckpoint(string model, string path)
    {
        var options = new TrainOptions { Model = model };
        var module = ModelZoo.Create(model, options.ModelOptionsFor(1, 28, 28, 10), new Rng(42));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["atelier.model"] = model,
            ["atelier.mean"] = "0.2860",
            ["atelier.std"] = "0.3530",
            ["atelier.classes"] = JsonSerializer.Serialize(FashionMnist.ClassNames),
            ["atelier.input"] = "1,28,28",
            ["atelier.options"] = JsonSerializer.Serialize(TrainOptionTable.ToPairs(options).ToDictionary(p => p.Key, p => p.Value)),
        };
        Safetensors.SaveModel(path, module, metadata);
        return path;
    }

    /// <summary>A white garment-like shape on black, different per variant, as a PNG.</summary>
    private static byte[] Garment(int variant)
    {
        var pixels = new byte[28 * 28];
        int width = 4 + variant % 12, top = 2 + variant % 5;
        for (int y = top; y < 26 - variant % 7; y++)
            for (int x = 14 - width / 2; x < 14 + width / 2 + 1; x++) pixels[y * 28 + x] = (byte)(255 - variant * 5);
        return PngEncoder.Gray8(28, 28, pixels);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
}
