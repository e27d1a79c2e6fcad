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
/// Where a training step's time goes: forward and backward time of each layer of a zoo model (a Sequential of
/// plain layers), plus the loss and the optimizer step, as medians over warm steps. Backward is replayed layer by
/// layer in tape order (each layer is its own tape op), so the figures add up to a normal step.
/// </summary>
internal static class ProfileBenchmark
{
    // Untimed steps first: at least this many and at least WarmupSeconds, so the JIT has moved every kernel to
    // optimized code (methods called once per step reach tier 1 only after 30 calls and a quiet 100 ms).
    private static int Warmup = 30;
    private static bool Eval;
    private const double WarmupSeconds = 2;

    public static int Run(string[] args)
    {
        string[] models = ["cnn", "mlp"];
        int batch = 64, steps = 30;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i].Split(','); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": Warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-fusion": Sequential.FuseBatchNormReLU = false; break;
                case "--eval": Eval = true; break;
                case "--threads": Workers.ThreadCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'."); return 2;
            }
        }
        Console.WriteLine($"threads {Workers.ThreadCount}, batch {batch}, medians of {steps} warm steps, load average {BenchSupport.LoadAverage():F2}");
        foreach (var name in models)
            if (!Profile(name, batch, steps)) return 1;
        return 0;
    }

    private static bool Profile(string name, int batch, int steps)
    {
        var rng = new Rng(1);
        if (ModelZoo.Create(name, new ModelOptions(), rng) is not Sequential model)
        {
            Console.Error.WriteLine($"Model '{name}' is not a Sequential; the profile needs one.");
            return false;
        }
        var layers = model.Layers;
        foreach (var layer in layers)
            if (layer.Children().Any() || layer is not IBackward)
            {
                Console.Error.WriteLine($"Model '{name}' has a nested or tape-less layer ({layer.Describe()}); the profile needs plain layers.");
                return false;
            }
        // The units a training step runs: each layer, except BatchNorm + ReLU, which Sequential runs fused as one.
        var units = new List<(string Name, Func<Tensor, Tensor> Forward, IBackward Backward)>();
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            if (Sequential.Fuses(layer, l + 1 < layers.Count ? layers[l + 1] : null))
            {
                var norm = (BatchNorm)layer;
                units.Add(($"{l}-{l + 1} {norm.Describe()} + ReLU", norm.ForwardWithReLU, norm));
                l++;
            }
            else units.Add(($"{l} {layer.Describe()}", layer.Forward, (IBackward)layer));
        }
        var input = new Tensor(new Shape(batch, 1, 28, 28));
        foreach (ref var v in input.Span) v = rng.Normal();
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(10);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        model.Train();
        if (Eval) model.Eval();

        // Columns: each layer's forward, then loss forward, loss backward, each layer's backward (reverse), step.
        int count = units.Count;
        var wall = new double[steps, 2 * count + 3];
        var cpu = new double[steps, 2 * count + 3];
        var shapes = new Shape[count];
        long warmStart = Stopwatch.GetTimestamp();
        for (int s = -Warmup; s < steps; s++)
        {
            if (s == -1 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds < WarmupSeconds) s = -2;
            int col = 0;
            void Time(Action action)
            {
                double c0 = BenchSupport.ProcessCpuSeconds();
                long t0 = Stopwatch.GetTimestamp();
                action();
                if (s >= 0)
                {
                    wall[s, col] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                    cpu[s, col] = BenchSupport.ProcessCpuSeconds() - c0;
                }
                col++;
            }
            optimizer.ZeroGrad();
            var x = input;
            // --eval: inference only (eval mode, nothing taped), so the forward columns are what a prediction costs.
            if (Eval)
            {
                using (Tape.NoGrad())
                    for (int l = 0; l < count; l++) { Time(() => x = units[l].Forward(x)); shapes[l] = x.Shape; }
                continue;
            }
            for (int l = 0; l < count; l++)
            {
                var forward = units[l].Forward;
                Time(() => x = forward(x));
                shapes[l] = x.Shape;
            }
            Tensor lossValue = null!;
            Time(() => lossValue = loss.Forward(x, labels));
            // Replay the tape by hand, one op (= one layer) at a time: seed dL/dL = 1, then backward in reverse order.
            Tape.Clear();
            Time(() => { lossValue.GradForWrite(out _)[0] = 1f; loss.Backward(); });
            for (int l = count - 1; l >= 0; l--)
            {
                Time(units[l].Backward.Backward);
            }
            Time(optimizer.Step);
        }

        double Median(double[,] table, int column)
        {
            var values = new double[steps];
            for (int s = 0; s < steps; s++) values[s] = table[s, column];
            Array.Sort(values);
            return values[steps / 2] * 1e3;
        }

        Console.WriteLine();
        Console.WriteLine($"{name}, batch {batch}: median ms per step (wall / process CPU)");
        Console.WriteLine($"{"layer",-42} {"output",-18} {"fwd ms",8} {"fwd cpu",8} {"bwd ms",8} {"bwd cpu",8} {"share",6}");
        double total = 0;
        var rows = new (string Name, string Shape, double Fw, double Fc, double Bw, double Bc)[count + 2];
        for (int l = 0; l < count; l++)
        {
            int back = count + 2 + (count - 1 - l);
            rows[l] = (units[l].Name, shapes[l].ToString(), Median(wall, l), Median(cpu, l), Median(wall, back), Median(cpu, back));
        }
        rows[count] = ("loss CrossEntropyLoss", "", Median(wall, count), Median(cpu, count), Median(wall, count + 1), Median(cpu, count + 1));
        rows[count + 1] = ("optimizer Adam.Step", "", Median(wall, 2 * count + 2), Median(cpu, 2 * count + 2), 0, 0);
        foreach (var r in rows) total += r.Fw + r.Bw;
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Truncate(r.Name, 42),-42} {r.Shape,-18} {r.Fw,8:F3} {r.Fc,8:F3} {r.Bw,8:F3} {r.Bc,8:F3} {(r.Fw + r.Bw) / total,6:P0}"));
        double fwd = 0, bwd = 0;
        foreach (var r in rows) { fwd += r.Fw; bwd += r.Bw; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total",-42} {"",-18} {fwd,8:F3} {"",8} {bwd,8:F3} {"",8}   = {total:F3} ms/step, {batch / total * 1e3:N0} img/s"));
        return true;
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
