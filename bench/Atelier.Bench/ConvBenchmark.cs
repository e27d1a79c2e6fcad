using System.Globalization;
using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Bench;

/// <summary>
/// Each distinct convolution of a zoo model, timed alone: forward, input gradient and weight gradient, with the kernel
/// the engine picks, as milliseconds and GFLOP/s. With --ab, the Winograd row grouping of small maps off and on,
/// alternating in one process (the same bits, so only the time differs). With --frozen, inference's choice: the forward
/// pass by Winograd with filters prepared once (as a folded model runs it) against im2col, for every 3x3 stride-1 layer.
/// With --im2col, training's choice: the three passes of each layer Winograd takes, by im2col instead. With --tiles2, the
/// same passes by Winograd's F(2x2, 3x3) where the engine takes F(4x4, 3x3), alternating with it.
/// </summary>
internal static class ConvBenchmark
{
    public static int Run(string[] args)
    {
        string[] models = ["resnet"];
        int batch = 64, reps = 15;
        bool ab = false, frozen = false, im2col = false, tiles2 = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i].Split(','); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": Workers.ThreadCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ab": ab = true; break;
                case "--frozen": frozen = true; break;
                case "--im2col": im2col = true; break;
                case "--tiles2": tiles2 = true; break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'."); return 2;
            }
        }
        Console.WriteLine($"threads {Workers.ThreadCount}, batch {batch}, medians of {reps}, load average {BenchSupport.LoadAverage():F2}");
        Console.WriteLine($"{"layer",-34} {"kernel",-17} {"fwd ms",8} {"dx ms",8} {"dw ms",8} {"GFLOP/s",8}" + (ab ? $" {"ungrouped ms",13} {"speed-up",9}" : "")
            + (frozen ? $" {"prepared ms",12} {"im2col ms",10}" : "") + (im2col ? $" {"all im2col ms",14} {"its fwd/dx/dw",20}" : "")
            + (tiles2 ? $" {"2x2 tiles ms",13} {"its fwd/dx/dw",20} {"4x4 gain",9}" : ""));
        WarmUp(models.SelectMany(name => Geometries(name, batch)).Distinct());
        foreach (var name in models)
        {
            Console.WriteLine(name);
            foreach (var g in Geometries(name, batch))
            {
                var operands = new Operands(g);
                var grouped = Time(g, operands, reps);
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"  {Describe(g),-32} {Kernel(g),-17} {grouped.Forward,8:F3} {grouped.Data,8:F3} {grouped.Weights,8:F3} {Gflops(g, grouped),8:F1}");
                if (ab)
                {
                    WinogradConvolution.GroupSmallRows = false;
                    var plain = Time(g, operands, reps);
                    WinogradConvolution.GroupSmallRows = true;
                    grouped = Time(g, operands, reps); // again after the other, so drift shows in neither alone
                    line += string.Create(CultureInfo.InvariantCulture, $" {plain.Total,13:F3} {plain.Total / grouped.Total,9:F2}x");
                }
                if (frozen && g.Kernel == new Size2d(3, 3) && g.Stride == new Size2d(1, 1) && g.C >= 16)
                {
                    var (prepared, im2colForward) = FrozenForward(g, operands, reps);
                    line += string.Create(CultureInfo.InvariantCulture, $" {prepared,12:F3} {im2colForward,10:F3}");
                }
                if (im2col && WinogradConvolution.Handles(g))
                {
                    WinogradConvolution.Enabled = false;
                    var plain = Time(g, operands, reps);
                    WinogradConvolution.Enabled = true;
                    line += string.Create(CultureInfo.InvariantCulture, $" {plain.Total,14:F3} {$"{plain.Forward:F2}/{plain.Data:F2}/{plain.Weights:F2}",20}");
                }
                if (tiles2 && WinogradConvolution.Handles(g) && WinogradConvolution.TileFor(g) == 4)
                {
                    WinogradConvolution.LargeTiles = false;
                    var small = Time(g, operands, reps);
                    WinogradConvolution.LargeTiles = true;
                    var large = Time(g, operands, reps); // again after the other, so drift shows in neither alone
                    line += string.Create(CultureInfo.InvariantCulture,
                        $" {small.Total,13:F3} {$"{small.Forward:F2}/{small.Data:F2}/{small.Weights:F2}",20} {small.Total / large.Total,8:F2}x");
                }
                Console.WriteLine(line);
            }
        }
        return 0;
    }

    private readonly record struct Times(double Forward, double Data, double Weights)
    {
        public double Total => Forward + Data + Weights;
    }

    // The model's convolutions at this batch, each shape once, in the order they run.
    private static List<ConvGeometry> Geometries(string name, int batch)
    {
        var model = ModelZoo.Create(name, new ModelOptions(), new Rng(1));
        model.Eval(); // batch norm refuses one value per channel in training mode
        using (Tape.NoGrad()) model.Forward(new Tensor(new Shape(batch, 1, 28, 28)));
        return model.Modules().Select(m => m.Module).OfType<Conv2d>().Select(c => c.LastGeometry).Distinct().ToList();
    }

    // One geometry's random operands and scratch, shared by every timing of it.
    private sealed class Operands
    {
        public Operands(ConvGeometry g)
        {
            var rng = new Rng(2);
            X = Random(rng, g.N * g.C * g.H * g.W);
            W = Random(rng, g.OutC * g.C * g.Kernel.Height * g.Kernel.Width);
            Y = new float[g.N * g.OutC * g.OutPlane];
            Dy = Random(rng, Y.Length);
            Dx = new float[X.Length];
            Dw = new float[W.Length];
            Columns = new float[Convolution.ColumnsLength(g)];
            Staging = new float[Math.Max(1, Convolution.StagingLength(g))];
        }

        public float[] X, W, Y, Dy, Dx, Dw, Columns, Staging;
    }

    // Over its first second the JIT compiles the kernels' final code on a background thread, on a core the timing needs:
    // without this, the first model's layers ran 2-4x slower than the same layers timed again later in the process,
    // most in the build with the most new code. Every pass of every layer runs until a second has gone and each has run
    // 30 more times after the first half second.
    private static void WarmUp(IEnumerable<ConvGeometry> geometries)
    {
        var passes = geometries.SelectMany(g => Passes(g, new Operands(g))).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int late = 0; watch.Elapsed.TotalSeconds < 1 || late < 30; late += watch.Elapsed.TotalSeconds >= 0.5 ? 1 : 0)
            foreach (var pass in passes) pass();
    }

    // Forward, input gradient, weight gradient.
    private static Action[] Passes(ConvGeometry g, Operands o) =>
    [
        () => Convolution.Forward(o.Y, o.X, o.W, default, g, o.Columns, o.Staging),
        () => Convolution.Backward(o.Dx, false, default, false, default, false, o.Dy, o.X, o.W, g, o.Columns, o.Staging),
        () => Convolution.Backward(default, false, o.Dw, false, default, false, o.Dy, o.X, o.W, g, o.Columns, o.Staging),
    ];

    private static Times Time(ConvGeometry g, Operands o, int reps)
    {
        var seconds = Passes(g, o).Select(pass => BenchSupport.MedianSeconds(pass, reps)).ToArray();
        return new Times(seconds[0] * 1e3, seconds[1] * 1e3, seconds[2] * 1e3);
    }

    // Forward ms by Winograd with prepared filters, whatever the tile count, and by im2col.
    private static (double Prepared, double Im2Col) FrozenForward(ConvGeometry g, Operands o, int reps)
    {
        var filters = WinogradConvolution.Prepare(o.W, g.C, g.OutC, WinogradConvolution.TileFor(g));
        double prepared = BenchSupport.MedianSeconds(() => WinogradConvolution.Forward(o.Y, o.X, o.W, default, g, relu: true, filters), reps);
        WinogradConvolution.Enabled = false;
        double im2col = BenchSupport.MedianSeconds(() => Convolution.Forward(o.Y, o.X, o.W, default, g, o.Columns, o.Staging, relu: true), reps);
        WinogradConvolution.Enabled = true;
        return (prepared * 1e3, im2col * 1e3);
    }

    private static float[] Random(Rng rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.Normal();
        return a;
    }

    private static double Gflops(ConvGeometry g, Times t) =>
        3.0 * 2 * g.N * g.OutC * g.OutPlane * g.C * g.Kernel.Height * g.Kernel.Width / (t.Total * 1e-3) / 1e9;

    private static string Describe(ConvGeometry g) => string.Create(CultureInfo.InvariantCulture,
        $"{g.C}->{g.OutC} {g.Kernel.Height}x{g.Kernel.Width}/{g.Stride.Height} on {g.H}x{g.W}");

    // The forward kernel; "/rows-dw" where the weight gradient goes by shifted rows.
    private static string Kernel(ConvGeometry g) =>
        (SingleChannelConvolution.Handles(g) ? "direct" : WinogradConvolution.Handles(g)
            ? (WinogradConvolution.TileFor(g) == 4 ? "wino4" : "wino2") + (WinogradConvolution.HandlesBackward(g) ? "" : "-fwd")
        : NarrowConvolution.Handles(g) ? "narrow"
        : StridedConvolution.Handles(g) ? (StridedConvolution.HandlesBackwardData(g) ? "strided" : "strided/im2col-dx") : "im2col")
        + (ShiftedRowWeightGradient.Handles(g) ? "/rows-dw" : "");
}
