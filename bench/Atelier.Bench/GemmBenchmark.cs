using Atelier.Kernels;

namespace Atelier.Bench;

/// <summary>
/// GEMM throughput against the machine's FMA peak: square sizes, then the shapes a training step of the zoo's
/// MLP and CNNs produces (forward, and the two backward products), on 1 and 2 threads.
/// </summary>
internal static class GemmBenchmark
{
    private sealed record Shape(string Name, bool TransA, bool TransB, int M, int N, int K)
    {
        public double Flops => 2.0 * M * N * K;
    }

    private static readonly Shape[] Shapes =
    [
        new("square 256", false, false, 256, 256, 256),
        new("square 512", false, false, 512, 512, 512),
        new("square 1024", false, false, 1024, 1024, 1024),
        new("square 2048", false, false, 2048, 2048, 2048),
        // mlp Linear(784 -> 392), batch 64: y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x
        new("mlp fwd x·Wᵀ", false, true, 64, 392, 784),
        new("mlp dx = dy·W", false, false, 64, 784, 392),
        new("mlp dW = dyᵀ·x", true, false, 392, 784, 64),
        // conv 32->64 3x3 on 28x28, one image: y = W·col, dW = dy·colᵀ, dcol = Wᵀ·dy
        new("conv64 fwd W·col", false, false, 64, 784, 288),
        new("conv64 dW dy·colᵀ", false, true, 64, 288, 784),
        new("conv64 dcol Wᵀ·dy", true, false, 288, 784, 64),
        // conv 1->32 3x3 on 28x28: one image, and batch 64 as one GEMM
        new("conv32 fwd W·col", false, false, 32, 784, 9),
        new("conv32 fwd W·col b64", false, false, 32, 64 * 784, 9),
        new("conv32 dW dy·colᵀ b64", false, true, 32, 9, 64 * 784),
        // classifier Linear(128 -> 10), batch 64, and one-image inference of the mlp's first layer
        new("fc10 fwd x·Wᵀ", false, true, 64, 10, 128),
        new("mlp fwd batch 1", false, true, 1, 392, 784),
        // conv 128->128 3x3 on 14x14, batch 64 as one GEMM
        new("conv128 fwd W·col b64", false, false, 128, 196 * 64, 1152),
        new("conv128 dW dy·colᵀ b64", false, true, 128, 1152, 196 * 64),
        new("conv128 dcol Wᵀ·dy b64", true, false, 1152, 196 * 64, 128),
    ];

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        int reps = quick ? 3 : 7;
        double minSeconds = quick ? 0.01 : 0.03;
        Console.WriteLine($"GEMM benchmark: {Environment.ProcessorCount} processors, path {Gemm.BestPath}, " +
                          $"load average {BenchSupport.LoadAverage():F2} (medians of {reps}; the machine is shared, expect noise)");
        var (peak1, peak2, peakCpu) = PeakBenchmark.Measure(reps);
        Console.WriteLine($"fp32 FMA peak: {peak1:F1} GFLOP/s (1 thread), {peak2:F1} GFLOP/s (2 threads), {peakCpu:F1} GFLOP per CPU-second");
        Console.WriteLine();
        Console.WriteLine("GF/s = GFLOP/s of wall time; cpu = GFLOP per CPU-second (1 thread: speed while on a core, unaffected by");
        Console.WriteLine("being descheduled, % pkc against the FMA loop's; 2 threads: per-core efficiency, spin-waits included)");
        Console.WriteLine($"{"shape",-26} {"m",6} {"n",6} {"k",6} {"1 thr GF/s",11} {"% pk1",6} {"cpu",6} {"% pkc",6} {"2 thr GF/s",11} {"% pk2",6} {"cpu",6} {"2 thr ms",9}");
        var rows = new List<object>();
        int saved = Workers.ThreadCount;
        try
        {
            foreach (var shape in Shapes)
            {
                var a = Filled(shape.M * shape.K, 1);
                var b = Filled(shape.K * shape.N, 2);
                var c = new float[shape.M * shape.N];
                var perThreads = new double[2];
                var cpuPerThreads = new double[2];
                for (int t = 1; t <= 2; t++)
                {
                    Workers.ThreadCount = t;
                    void Once() => Gemm.Multiply(shape.TransA, shape.TransB, shape.M, shape.N, shape.K, a, b, c, false);
                    int inner = BenchSupport.RepeatsFor(Once, minSeconds);
                    var (wall, cpu) = BenchSupport.Median(() => { for (int i = 0; i < inner; i++) Once(); }, reps);
                    perThreads[t - 1] = wall / inner;
                    cpuPerThreads[t - 1] = cpu / inner;
                }
                double g1 = shape.Flops / perThreads[0] / 1e9, g2 = shape.Flops / perThreads[1] / 1e9;
                double cpu1 = shape.Flops / cpuPerThreads[0] / 1e9, cpu2 = shape.Flops / cpuPerThreads[1] / 1e9;
                Console.WriteLine($"{shape.Name,-26} {shape.M,6} {shape.N,6} {shape.K,6} {g1,11:F1} {100 * g1 / peak1,5:F0}% {cpu1,6:F0} {100 * cpu1 / peakCpu,5:F0}% {g2,11:F1} {100 * g2 / peak2,5:F0}% {cpu2,6:F0} {perThreads[1] * 1e3,9:F3}");
                rows.Add(new
                {
                    shape = shape.Name, transA = shape.TransA, transB = shape.TransB, m = shape.M, n = shape.N, k = shape.K,
                    gflops1 = g1, percentPeak1 = 100 * g1 / peak1, gflops2 = g2, percentPeak2 = 100 * g2 / peak2,
                    gflopsPerCpuSecond1 = cpu1, gflopsPerCpuSecond2 = cpu2, percentPeakPerCpuSecond1 = 100 * cpu1 / peakCpu,
                    ms1 = perThreads[0] * 1e3, ms2 = perThreads[1] * 1e3,
                });
            }
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
        string path = BenchSupport.WriteResult("gemm", new
        {
            date = DateTime.UtcNow, machine = BenchSupport.Machine(), path = Gemm.BestPath.ToString(), reps,
            peak1, peak2, peakPerCpuSecond = peakCpu, rows,
        });
        Console.WriteLine();
        Console.WriteLine($"Wrote {path}");
        return 0;
    }

    private static float[] Filled(int size, int seed)
    {
        var rng = new Atelier.Tensors.Rng((ulong)seed);
        var x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rng.Uniform(-1, 1);
        return x;
    }
}
