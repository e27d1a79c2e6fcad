using System.Diagnostics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;

namespace Atelier.Bench;

/// <summary>Timing, machine description and result files shared by the benchmarks.</summary>
internal static unsafe class BenchSupport
{
    /// <summary>Median seconds of <paramref name="reps"/> timed runs after at least <paramref name="warmup"/> untimed ones.</summary>
    public static double MedianSeconds(Action action, int reps, int warmup = 2)
        => Median(action, reps, warmup).Wall;

    /// <summary>
    /// Median wall seconds and median process CPU seconds of timed runs after warm-up runs: at least
    /// <paramref name="warmup"/>, then on to 30 calls or 1 s. Two were not enough: `-- conv` timed a 28x28 layer's weight
    /// gradient at 19 ms on code the JIT had not optimized yet, against 11 ms warm.
    /// </summary>
    public static (double Wall, double Cpu) Median(Action action, int reps, int warmup = 2)
    {
        var warming = Stopwatch.StartNew();
        for (int i = 0; i < warmup || (i < 30 && warming.Elapsed.TotalSeconds < 1); i++) action();
        var times = new double[reps];
        var cpu = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            double cpuStart = ProcessCpuSeconds();
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            cpu[i] = ProcessCpuSeconds() - cpuStart;
        }
        return (MedianOf(times), MedianOf(cpu));
    }

    /// <summary>
    /// Runs <paramref name="action"/> untimed for min(1 s, <paramref name="seconds"/>/2): the JIT moves a method to
    /// optimized code only after 30 calls and a quiet 100 ms, and a kernel nothing has run yet starts cold.
    /// </summary>
    public static void Warm(Action action, double seconds)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < Math.Min(1.0, seconds / 2)) action();
    }

    /// <summary>The median (sorts <paramref name="values"/> in place).</summary>
    public static double MedianOf(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>CPU seconds used by this process so far (all threads): robust to being descheduled on a shared machine.</summary>
    public static double ProcessCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Timespec t;
        clock_gettime(2 /* CLOCK_PROCESS_CPUTIME_ID */, &t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    private struct Timespec
    {
        public long Seconds, Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int clock_gettime(int clock, Timespec* time);

    /// <summary>Repeats <paramref name="action"/> so one timed run lasts at least <paramref name="seconds"/>.</summary>
    public static int RepeatsFor(Action action, double seconds)
    {
        action();
        long start = Stopwatch.GetTimestamp();
        action();
        double once = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-7);
        return Math.Max(1, (int)Math.Ceiling(seconds / once));
    }

    public static object Machine() => new
    {
        processors = Environment.ProcessorCount,
        avx512 = Avx512F.IsSupported,
        avx2 = Avx2.IsSupported,
        runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        loadAverage = LoadAverage(),
    };

    /// <summary>The 1-minute load average (Linux), to judge how noisy a run was.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Writes <paramref name="result"/> as JSON to bench/results/&lt;name&gt;-&lt;timestamp&gt;.json.</summary>
    public static string WriteResult(string name, object result)
    {
        string dir = Path.Combine(RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        return Environment.CurrentDirectory;
    }
}
