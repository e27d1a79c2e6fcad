using System.Globalization;
using Atelier.Autograd;
using Atelier.Data;
using Atelier.Kernels;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Nn.Inference;
using Atelier.Serialization.Onnx;
using Atelier.Tensors;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Bench;

/// <summary>
/// Inference against ONNX Runtime, the peer for serving: each zoo model exported by Atelier's own exporter (the same
/// weights, eval mode), run by ORT with all graph optimisations (it folds batch norm, fuses conv + ReLU) on the same
/// thread count, and by Atelier, alternately in one process so both see the same machine. Batch 1 is latency.
/// Each ORT round runs on a session of its own, disposed before Atelier's round: ORT's intra-op threads spin on
/// between runs by default (its fastest setting for itself), and a session left alive kept the second core busy
/// for seconds, so that `resnet9` at batch 1 took Atelier 1.2-1.3 ms after ORT's rounds against 0.8 ms without.
/// </summary>
internal static class OnnxRuntimeBenchmark
{
    public static int Run(string[] args)
    {
        string[] models = ModelZoo.All.Select(m => m.Name).ToArray();
        int[] batches = [1, 64, 256];
        int rounds = 3;
        double seconds = 1.0;
        string? json = null;
        bool fold = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--models": models = args[++i].Split(','); break;
                case "--batches": batches = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--threads": Workers.ThreadCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--quick": seconds = 0.3; rounds = 1; break;
                case "--json": json = args[++i]; break;
                case "--unfolded": fold = false; break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'."); return 2;
            }
        }
        int threads = Workers.ThreadCount;
        Console.WriteLine($"threads {threads}, Atelier {(fold ? "folded for inference" : "unfolded eval mode")}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}, load {BenchSupport.LoadAverage()}");
        Console.WriteLine($"{"model",-12} {"batch",5} {"atelier img/s",14} {"ort img/s",11} {"ratio",6} {"atelier ms",11} {"ort ms",8} {"max |diff|",11} {"threads",8} {"slice",6}");
        var rows = new List<object>();
        foreach (var name in models)
        {
            var trained = Create(name);
            byte[] exported = Export(name, trained);
            // What predict and serve run: a second copy folded for inference (--unfolded: the eval-mode module itself).
            var model = fold ? InferenceFolding.Fold(Create(name)) : trained;
            var predictor = new Predictor(model); // single images on the threads, batches in the slices, that are faster for them, as predict
            foreach (int batch in batches)
            {
                var rng = new Rng(7);
                var pixels = new float[batch * 28 * 28];
                foreach (ref var v in pixels.AsSpan()) v = rng.Uniform(0, 1);
                var input = new Tensor(new Shape(batch, 1, 28, 28));
                pixels.CopyTo(input.Span);

                void Atelier() => Infer(predictor, input);
                // 1.5 s of warm-up whatever --seconds says: the JIT's tiers and on-stack replacement settle the kernels' loops
                // over the first second; after 0.25 s, resnet9's single image measured 1.04 ms, against 0.61-0.69 warm.
                void Warm() { for (var warming = System.Diagnostics.Stopwatch.StartNew(); warming.Elapsed.TotalSeconds < 1.5;) Atelier(); }
                Warm();
                // As a server that has had many batches: the slice chosen now, not after 8,192 images; then warmed again,
                // as slices can take kernels' branches that the whole batch did not (compiled at tier 0 until then).
                if (batch > 1 && predictor.Batches.Slice is null)
                {
                    predictor.Batches.Choose(input);
                    Warm();
                }
                float maxDiff; // of what is timed: after the choice
                using (var check = new OrtModel(exported, threads)) maxDiff = MaxDifference(Infer(predictor, input), check.Logits(pixels, batch));
                int atelierSteps = BenchSupport.RepeatsFor(Atelier, seconds / 5);
                var atelierTimes = new List<double>();
                var ortTimes = new List<double>();
                for (int r = 0; r < rounds; r++)
                {
                    using (var ort = new OrtModel(exported, threads))
                    {
                        void Ort() => ort.Logits(pixels, batch);
                        BenchSupport.Warm(Ort, seconds);
                        int ortSteps = BenchSupport.RepeatsFor(Ort, seconds / 5);
                        ortTimes.Add(BenchSupport.MedianSeconds(() => { for (int s = 0; s < ortSteps; s++) Ort(); }, reps: 5, warmup: 1) / ortSteps);
                    }
                    atelierTimes.Add(BenchSupport.MedianSeconds(() => { for (int s = 0; s < atelierSteps; s++) Atelier(); }, reps: 5, warmup: 1) / atelierSteps);
                }
                double a = BenchSupport.MedianOf([.. atelierTimes]), o = BenchSupport.MedianOf([.. ortTimes]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-12} {batch,5} {batch / a,14:N0} {batch / o,11:N0} {o / a,6:F2} {a * 1e3,11:F3} {o * 1e3,8:F3} {maxDiff,11:G3} {Threads(predictor, batch, threads),8} {Slice(predictor, batch),6}"));
                rows.Add(new { model = name, batch, atelier_img_s = batch / a, ort_img_s = batch / o, ratio = o / a, atelier_ms = a * 1e3, ort_ms = o * 1e3, max_abs_diff = maxDiff, atelier_threads = Threads(predictor, batch, threads), atelier_slice = Slice(predictor, batch) });
            }
        }
        var result = new
        {
            engine = "atelier-vs-onnxruntime", threads, folded = fold, ort_version = OrtEnv.Instance().GetVersionString(), machine = BenchSupport.Machine(),
            date = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture), load_after = BenchSupport.LoadAverage(), rows,
        };
        string path = json ?? BenchSupport.WriteResult("onnxruntime", result);
        if (json is not null) File.WriteAllText(json, System.Text.Json.JsonSerializer.Serialize(result));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    // The threads Atelier ran on: a single image on the calling thread alone where SingleImageThreads chose that.
    private static int Threads(Predictor predictor, int batch, int threads) => batch == 1 && predictor.Singles.Alone == true ? 1 : threads;

    // The images a pass of Atelier's ran at once: the batch, or the slice BatchSlices chose for it.
    private static int Slice(Predictor predictor, int batch) => Math.Min(batch, predictor.Batches.Slice ?? batch);

    private static float[] Infer(Predictor model, Tensor input)
    {
        using (Tape.NoGrad()) return model.Forward(input).Span.ToArray();
    }

    /// <summary>The zoo model in eval mode, batch norm's running statistics away from 0 and 1 so folding them changes the numbers.</summary>
    private static Module Create(string name)
    {
        var model = ModelZoo.Create(name, new ModelOptions(), new Rng(1));
        var rng = new Rng(3);
        foreach (var (key, tensor) in model.StateDict().Select(e => (e.Name, e.Tensor)))
        {
            if (key.EndsWith("running_mean", StringComparison.Ordinal)) foreach (ref var v in tensor.Span) v = rng.Uniform(-0.2f, 0.2f);
            else if (key.EndsWith("running_var", StringComparison.Ordinal)) foreach (ref var v in tensor.Span) v = rng.Uniform(0.5f, 1.5f);
        }
        return model.Eval();
    }

    private static byte[] Export(string name, Module model) =>
        OnnxExport.Build(model, new OnnxModelDescription(name, 1, 28, 28, Normalization.Identity, FashionMnist.ClassNames)).ToByteArray();

    private static float MaxDifference(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>An ORT session on an in-memory model with preallocated input and output, as a server would hold one.</summary>
    private sealed class OrtModel : IDisposable
    {
        private readonly SessionOptions options;
        private readonly InferenceSession session;
        private readonly RunOptions run = new();

        public OrtModel(byte[] model, int threads)
        {
            options = new SessionOptions
            {
                IntraOpNumThreads = threads, InterOpNumThreads = 1,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            session = new InferenceSession(model, options);
        }

        public float[] Logits(float[] pixels, int batch)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(pixels, [batch, 1, 28, 28]);
            using var outputs = session.Run(run, [OnnxExport.InputName], [input], [OnnxExport.OutputName]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        public void Dispose()
        {
            run.Dispose();
            session.Dispose();
            options.Dispose();
        }
    }
}
