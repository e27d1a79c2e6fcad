using Atelier.Bench;

// One subcommand per benchmark; each lives in its own file and returns an exit code.
var commands = new Dictionary<string, (string Help, Func<string[], int> Run)>
{
    ["gemm"] = ("machine fp32 peak, then GEMM GFLOP/s on square and training shapes, 1 and 2 threads", GemmBenchmark.Run),
    ["models"] = ("zoo models: training and inference img/s, latency, GFLOP/s, allocations (--models, --batches, --threads, --json)", ModelsBenchmark.Run),
    ["onnxruntime"] = ("inference img/s and latency against ONNX Runtime on the same exported models and threads (--models, --batches 1,64,256, --threads, --rounds)", OnnxRuntimeBenchmark.Run),
    ["conv"] = ("each convolution of a model alone: forward, input and weight gradient ms and GFLOP/s (--models resnet, --batch 64, --threads, --reps, --ab, --frozen, --im2col)", ConvBenchmark.Run),
    ["profile"] = ("per-op forward/backward time of a training step, any zoo model (--models cnn,resnet9, --batch, --steps, --warmup, --threads, --no-fusion, --eval, --folded: inference as predict runs it, --sgd)", ProfileBenchmark.Run),
    ["time-to-accuracy"] = ("`atelier train` (default, or --config FILE.yaml) on a wall clock, test accuracy with and without TTA after every epoch, curve as SVG (--set epochs=10, --target 93.5, --seconds 300)", TimeToAccuracyBenchmark.Run),
    ["serve"] = ("load test of atelier serve's predict API on loopback, with and without batching (--requests 5000 --clients 16 --mode 64:2 ...)", ServeBenchmark.Run),
    ["tune"] = ("Atelier's TPE, multivariate TPE and random on Branin, Hartmann-6 and a mixed space, as bench/tuning/optuna_bench.py (--trials 50 --seeds 20)", TuneBenchmark.Run),
    ["peak"] = ("machine fp32 peak only (Vector512 FMA loop)", PeakBenchmark.Run),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine(args.Length == 0 ? "Name a benchmark to run." : $"Unknown benchmark '{args[0]}'.");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project bench/Atelier.Bench -- <benchmark> [--quick]");
    foreach (var (name, (help, _)) in commands) Console.Error.WriteLine($"  {name,-8} {help}");
    return 2;
}
// Bad input (an unknown model, a number that is not one, an option without its value) gets one sentence, not a trace.
try
{
    return command.Run(args[1..]);
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
{
    // An out-of-range value's message also names the parameter and the value on lines of their own: its first sentence.
    Console.Error.WriteLine(e is IndexOutOfRangeException ? $"Option '{args[^1]}' needs a value." : e.Message.Split(" (Parameter '")[0]);
    return 2;
}
