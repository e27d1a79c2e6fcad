using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Atelier.Kernels;

namespace Atelier.Bench;

/// <summary>The machine's fp32 ceiling: a Vector512 FMA loop with enough independent chains to fill both FMA pipes.</summary>
internal static class PeakBenchmark
{
    private const int Iterations = 10_000_000;
    private const double FlopsPerIteration = 16 * 16 * 2; // 16 FMAs of 16 lanes

    public static int Run(string[] args)
    {
        if (!Avx512F.IsSupported)
        {
            Console.Error.WriteLine("This CPU has no AVX-512; the peak benchmark needs it.");
            return 1;
        }
        var (one, two, cpu) = Measure();
        Console.WriteLine($"fp32 peak: {one:F1} GFLOP/s on 1 thread, {two:F1} GFLOP/s on 2 threads, {cpu:F1} GFLOP per CPU-second");
        BenchSupport.WriteResult("peak", new { machine = BenchSupport.Machine(), peak1 = one, peak2 = two, peakPerCpuSecond = cpu });
        return 0;
    }

    /// <summary>Median GFLOP/s of the FMA loop on 1 and 2 threads, and per CPU-second on 1 thread (a core's own peak).</summary>
    public static (double One, double Two, double PerCpuSecond) Measure(int reps = 7)
    {
        int saved = Workers.ThreadCount;
        try
        {
            var (one, cpu) = OnThreads(1, reps);
            var (two, _) = OnThreads(2, reps);
            return (one, two, cpu);
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
    }

    private static (double Wall, double Cpu) OnThreads(int threads, int reps)
    {
        Workers.ThreadCount = threads;
        var loop = new FmaLoop();
        var (wall, cpu) = BenchSupport.Median(() => Workers.For(threads, ref loop), reps);
        double flops = threads * Iterations * FlopsPerIteration;
        return (flops / wall / 1e9, flops / cpu / 1e9);
    }

    private struct FmaLoop : IWorkItem
    {
        public float Sink;

        public void Run(int start, int end)
        {
            for (int i = start; i < end; i++) Sink += Spin(Iterations);
        }

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Spin(int iterations)
        {
            var x = Vector512.Create(0.999999f);
            var y = Vector512.Create(1e-7f);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            for (int i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y);
                a2 = Avx512F.FusedMultiplyAdd(a2, x, y); a3 = Avx512F.FusedMultiplyAdd(a3, x, y);
                a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
                a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y);
                a8 = Avx512F.FusedMultiplyAdd(a8, x, y); a9 = Avx512F.FusedMultiplyAdd(a9, x, y);
                a10 = Avx512F.FusedMultiplyAdd(a10, x, y); a11 = Avx512F.FusedMultiplyAdd(a11, x, y);
                a12 = Avx512F.FusedMultiplyAdd(a12, x, y); a13 = Avx512F.FusedMultiplyAdd(a13, x, y);
                a14 = Avx512F.FusedMultiplyAdd(a14, x, y); a15 = Avx512F.FusedMultiplyAdd(a15, x, y);
            }
            var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
            return Vector512.Sum(sum);
        }
    }
}
