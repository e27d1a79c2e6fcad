using System.Diagnostics;
using System.Globalization;
using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Nn.Inference;
using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Bench;

/// <summary>
/// Where a training step's time goes, for any zoo model (residual ones included): each op on the tape (a Conv2d, a
/// BatchNorm with its fused ReLU, a residual add, the loss...) with its forward and backward time, then the
/// optimizer step, as medians over warm steps, and the same summed by kind of op. The model runs its own forward
/// pass; the tape tells the clock when each op's output is ready (<see cref="Tape.Observer"/>), and backward is
/// replayed op by op in reverse, so the figures add up to a normal step.
/// </summary>
internal static class ProfileBenchmark
{
    // Untimed steps first: at least this many and at least WarmupSeconds, so the JIT has moved every kernel to
    // optimized code (methods called once per step reach tier 1 only after 30 calls and a quiet 100 ms).
    private const double WarmupSeconds = 2;

    private sealed record Settings(int Batch, int Steps, int Warmup, bool Eval, bool Sgd, bool Folded);

    public static int Run(string[] args)
    {
        string[] models = ["cnn", "mlp"];
        int batch = 64, steps = 30, warmup = 30;
        bool eval = false, sgd = false, folded = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i].Split(','); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-fusion": Sequential.FuseBatchNormReLU = false; break;
                case "--eval": eval = true; break;
                case "--folded": eval = folded = true; break;
                case "--sgd": sgd = true; break;
                case "--threads": Workers.ThreadCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'."); return 2;
            }
        }
        Console.WriteLine($"threads {Workers.ThreadCount}, batch {batch}, medians of {steps} warm steps, load average {BenchSupport.LoadAverage():F2}");
        var settings = new Settings(batch, steps, warmup, eval, sgd, folded);
        foreach (var name in models)
            if (!Profile(name, settings)) return 1;
        return 0;
    }

    private static bool Profile(string name, Settings o)
    {
        var rng = new Rng(1);
        var model = ModelZoo.Create(name, new ModelOptions(), rng);
        var input = new Tensor(new Shape(o.Batch, 1, 28, 28));
        foreach (ref var v in input.Span) v = rng.Normal();
        var labels = new int[o.Batch];
        for (int i = 0; i < o.Batch; i++) labels[i] = rng.NextInt(10);
        Optimizer optimizer = o.Sgd ? new SGD(model.Parameters(), 0.05f, momentum: 0.9, weightDecay: 5e-4, nesterov: true) : new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        if (o.Eval) model.Eval(); else model.Train();
        // What predict and serve run: batch norm folded into the convolutions, ReLU and pooling fused, weights frozen.
        if (o.Folded) model = InferenceFolding.Fold(model);

        // Per step: each op's forward (wall, CPU), then each op's backward, then the optimizer step.
        var ops = new List<string>();
        var forward = new List<(double Wall, double Cpu)[]>();
        var backward = new List<(double Wall, double Cpu)[]>();
        var step = new double[o.Steps];
        long warmStart = Stopwatch.GetTimestamp();
        for (int s = -o.Warmup; s < o.Steps; s++)
        {
            if (s == -1 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds < WarmupSeconds) s = -2;
            optimizer.ZeroGrad();
            var stamps = new List<(string Op, long Wall, double Cpu)>();
            long last = Stopwatch.GetTimestamp();
            double lastCpu = BenchSupport.ProcessCpuSeconds();
            Tape.Observer = (op, output) => stamps.Add((Label(op, output), Stopwatch.GetTimestamp(), BenchSupport.ProcessCpuSeconds()));
            Tensor lossValue;
            try
            {
                if (o.Eval)
                {
                    using (Tape.NoGrad()) model.Forward(input);
                    lossValue = null!;
                }
                else lossValue = loss.Forward(model.Forward(input), labels);
            }
            finally
            {
                Tape.Observer = null;
            }
            var fw = new (double, double)[stamps.Count];
            for (int i = 0; i < stamps.Count; i++)
            {
                fw[i] = (Stopwatch.GetElapsedTime(last, stamps[i].Wall).TotalSeconds, stamps[i].Cpu - lastCpu);
                (last, lastCpu) = (stamps[i].Wall, stamps[i].Cpu);
            }
            var bw = new (double, double)[stamps.Count];
            if (!o.Eval)
            {
                // Replay the tape by hand: seed dL/dL = 1, then each op's backward in reverse order, timed alone.
                var recorded = Tape.Recorded;
                if (recorded.Count != stamps.Count) throw new InvalidOperationException($"{recorded.Count} ops on the tape but {stamps.Count} observed.");
                lossValue.GradForWrite(out _)[0] = 1f;
                for (int i = recorded.Count - 1; i >= 0; i--)
                {
                    double c0 = BenchSupport.ProcessCpuSeconds();
                    long t0 = Stopwatch.GetTimestamp();
                    recorded[i].Backward();
                    bw[i] = (Stopwatch.GetElapsedTime(t0).TotalSeconds, BenchSupport.ProcessCpuSeconds() - c0);
                }
                Tape.Clear();
                long t1 = Stopwatch.GetTimestamp();
                optimizer.Step();
                if (s >= 0) step[s] = Stopwatch.GetElapsedTime(t1).TotalSeconds;
            }
            if (s < 0) continue;
            if (ops.Count == 0) ops.AddRange(stamps.Select(x => x.Op));
            else if (!ops.SequenceEqual(stamps.Select(x => x.Op))) throw new InvalidOperationException("The ops differ from one step to the next.");
            forward.Add(fw);
            backward.Add(bw);
        }

        double Median(List<(double Wall, double Cpu)[]> table, int op, bool cpu) =>
            BenchSupport.MedianOf(table.Select(t => (cpu ? t[op].Cpu : t[op].Wall) * 1e3).ToArray());

        var rows = ops.Select((label, i) => (Label: label, Fw: Median(forward, i, false), Fc: Median(forward, i, true),
            Bw: Median(backward, i, false), Bc: Median(backward, i, true))).ToList();
        double stepMs = o.Eval ? 0 : BenchSupport.MedianOf(step) * 1e3;
        double total = rows.Sum(r => r.Fw + r.Bw) + stepMs;
        Console.WriteLine();
        Console.WriteLine($"{name}, batch {o.Batch}{(o.Folded ? ", inference, folded" : o.Eval ? ", inference" : "")}: median ms per step (wall / process CPU)");
        Console.WriteLine($"{"op",-72} {"fwd ms",8} {"fwd cpu",8} {"bwd ms",8} {"bwd cpu",8} {"share",6}");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Truncate(r.Label, 72),-72} {r.Fw,8:F3} {r.Fc,8:F3} {r.Bw,8:F3} {r.Bc,8:F3} {(r.Fw + r.Bw) / total,6:P0}"));
        if (!o.Eval)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"optimizer " + optimizer.GetType().Name + ".Step",-72} {stepMs,8:F3} {"",8} {"",8} {"",8} {stepMs / total,6:P0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total",-72} {rows.Sum(r => r.Fw),8:F3} {"",8} {rows.Sum(r => r.Bw),8:F3} {"",8}   = {total:F3} ms/step, {o.Batch / total * 1e3:N0} img/s"));

        Console.WriteLine();
        Console.WriteLine($"{"by kind",-72} {"fwd ms",8} {"",8} {"bwd ms",8} {"",8} {"share",6}");
        foreach (var kind in rows.GroupBy(r => Kind(r.Label)).OrderByDescending(k => k.Sum(r => r.Fw + r.Bw)))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind.Key + $" ({kind.Count()})",-72} {kind.Sum(r => r.Fw),8:F3} {"",8} {kind.Sum(r => r.Bw),8:F3} {"",8} {kind.Sum(r => r.Fw + r.Bw) / total,6:P0}"));
        return true;
    }

    // "Conv2d(64 -> 64, 3x3) -> [64, 64, 14, 14]", BatchNorm with "+ ReLU" when it ran fused.
    private static string Label(IBackward op, Tensor output)
    {
        string name = op is Module m ? m.Describe() : op.GetType().Name;
        if (op is BatchNorm { LastForwardFusedReLU: true }) name += " + ReLU";
        return $"{name} -> {output.Shape}";
    }

    // The op's name before its arguments: "BatchNorm2d + ReLU", "Residual"; convolutions by kernel and stride
    // ("Conv2d kernel 3x3", "Conv2d kernel 1x1, stride 2"), as each takes its own path through the kernels.
    private static string Kind(string label)
    {
        string name = label[..label.LastIndexOf(" -> ", StringComparison.Ordinal)];
        int paren = name.IndexOf('(');
        if (paren < 0) return name;
        if (name.StartsWith("Conv2d(", StringComparison.Ordinal))
            return "Conv2d " + string.Join(", ", name[(paren + 1)..name.IndexOf(')')].Split(", ").Where(p => p.StartsWith("kernel") || p.StartsWith("stride")));
        return name[..paren] + (name.EndsWith("+ ReLU", StringComparison.Ordinal) ? " + ReLU" : "");
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
