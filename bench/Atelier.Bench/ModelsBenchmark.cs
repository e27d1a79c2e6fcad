using System.Diagnostics;
using System.Globalization;
using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Bench;

/// <summary>
/// Zoo models on random 28x28 inputs: warm training steps (forward + cross-entropy + backward + Adam) and inference
/// images/s, single-image latency, GFLOP/s, managed bytes allocated per warm step, peak resident memory.
/// The same loop as bench/pytorch/bench.py, and the same JSON schema, so bench/compare.py can put them side by side.
/// </summary>
internal static class ModelsBenchmark
{
    public static int Run(string[] args)
    {
        string[] models = ["mlp", "mlp-bn", "cnn", "cnn-c", "cnn-wide"];
        int[] batches = [1, 64, 256];
        string? json = null;
        double seconds = 2.0;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i].Split(','); break;
                case "--batches": batches = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--threads": Workers.ThreadCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json": json = args[++i]; break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--quick": seconds = 0.5; break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'."); return 2;
            }
        }
        var (peakOne, peakTwo, _) = PeakBenchmark.Measure(reps: 3);
        double peak = Workers.ThreadCount == 1 ? peakOne : peakTwo;
        Console.WriteLine($"threads {Workers.ThreadCount}, fp32 peak {peak:F0} GFLOP/s (FMA loop)");
        Console.WriteLine($"{"model",-10} {"batch",5} {"train img/s",12} {"GFLOP/s",8} {"% peak",7} {"infer img/s",12} {"latency ms",11} {"alloc B/step",13} {"train cpu ms",13}");
        var rows = new List<object>();
        foreach (var name in models)
            foreach (int batch in batches)
            {
                var row = Measure(name, batch, seconds);
                double trainGflops = row.TrainImagesPerSecond * row.FlopsPerImage * 3 / 1e9;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-10} {batch,5} {row.TrainImagesPerSecond,12:N0} {trainGflops,8:F1} {trainGflops / peak,7:P0} {row.InferImagesPerSecond,12:N0} {row.LatencyMs,11:F3} {row.AllocatedPerStep,13:N0} {row.TrainCpuMs,13:F3}"));
                rows.Add(new
                {
                    model = name, batch, train_img_s = OrNull(row.TrainImagesPerSecond), infer_img_s = row.InferImagesPerSecond,
                    latency_ms = batch == 1 ? row.LatencyMs : (double?)null, train_gflop_s = OrNull(trainGflops), percent_of_peak = OrNull(100 * trainGflops / peak),
                    allocated_bytes_per_step = row.AllocatedPerStep < 0 ? null : (long?)row.AllocatedPerStep, train_cpu_ms_per_step = OrNull(row.TrainCpuMs), flops_per_image = row.FlopsPerImage,
                });
            }
        long peakRss = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine($"peak resident memory {peakRss / (1024.0 * 1024):F0} MiB");
        var result = new
        {
            engine = "atelier", threads = Workers.ThreadCount, machine = Environment.MachineName + $" ({Environment.ProcessorCount} cores)",
            date = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture), peak_gflop_s = peak, peak_rss_bytes = peakRss, rows,
        };
        string path = json ?? BenchSupport.WriteResult("models", result);
        if (json is not null) File.WriteAllText(json, System.Text.Json.JsonSerializer.Serialize(result));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    // TrainCpuMs: process CPU time per training step (all threads): what a step costs when no other process competes.
    private sealed record Row(double TrainImagesPerSecond, double InferImagesPerSecond, double LatencyMs, long AllocatedPerStep, long FlopsPerImage, double TrainCpuMs);

    private static Row Measure(string name, int batch, double seconds)
    {
        var rng = new Rng(1);
        var model = ModelZoo.Create(name, new ModelOptions(), rng);
        var input = new Tensor(new Shape(batch, 1, 28, 28));
        foreach (ref var v in input.Span) v = rng.Normal();
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(10);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();

        void Step()
        {
            optimizer.ZeroGrad();
            loss.Forward(model.Forward(input), labels).Backward();
            optimizer.Step();
        }

        model.Train();
        double train = double.NaN, trainCpu = double.NaN;
        long allocated = -1;
        // Batch norm cannot train on one sample (PyTorch refuses it too): such rows report inference only.
        if (batch > 1 || !HasBatchNorm(model))
        {
            int steps = BenchSupport.RepeatsFor(Step, seconds / 5);
            var (wall, cpu) = BenchSupport.Median(() => { for (int s = 0; s < steps; s++) Step(); }, reps: 5, warmup: 1);
            train = wall / steps;
            trainCpu = cpu / steps;
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int s = 0; s < 10; s++) Step();
            allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 10;
        }

        model.Eval();
        void Infer()
        {
            using (Tape.NoGrad()) model.Forward(input);
        }
        // Warm first: where training was skipped (batch norm at batch 1) nothing has run the kernels yet.
        BenchSupport.Warm(Infer, seconds);
        int inferSteps = BenchSupport.RepeatsFor(Infer, seconds / 5);
        double infer = BenchSupport.MedianSeconds(() => { for (int s = 0; s < inferSteps; s++) Infer(); }, reps: 5, warmup: 1) / inferSteps;
        return new Row(batch / train, batch / infer, infer * 1e3, allocated, model.Flops(new Shape(1, 1, 28, 28)), trainCpu * 1e3);
    }

    // JSON has no NaN: a row that was not measured is null.
    private static double? OrNull(double value) => double.IsNaN(value) ? null : value;

    private static bool HasBatchNorm(Module model)
    {
        foreach (var (_, m) in model.Modules())
            if (m is BatchNorm) return true;
        return false;
    }
}
