using System.Diagnostics;
using System.Globalization;
using Atelier.Data;
using Atelier.Reports;
using Atelier.Training;

namespace Atelier.Bench;

/// <summary>
/// Time to accuracy of the default `atelier train` (or of a recipe, --config FILE.yaml, with options changed by --set
/// name=value): the same TrainingRun the CLI runs, on a wall clock that starts before the dataset is read and stops
/// after the final test evaluation. After each epoch the clock pauses while the epoch's last checkpoint is evaluated on
/// the test set, with and without flip test-time augmentation, so the curve of test accuracy against seconds costs the
/// run nothing. The target (default 93.5% in 300 s, the default recipe's) is --target PERCENT --seconds S. Writes the
/// curve as JSON, CSV and SVG.
/// </summary>
internal static class TimeToAccuracyBenchmark
{
    private static double TargetAccuracy = 0.935, TargetSeconds = 300;

    public static int Run(string[] args)
    {
        string scratch = Path.Combine(Path.GetTempPath(), $"atelier-tta-{Environment.ProcessId}");
        var options = new TrainOptions { Output = scratch };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--set" && i + 1 < args.Length && args[i + 1].Split('=', 2) is [var name, var value])
                TrainOptionTable.Set(options, name, value);
            else if (args[i] == "--config" && i + 1 < args.Length)
                foreach (var (key, v) in YamlOptions.Read(args[i + 1])) TrainOptionTable.Set(options, key, v);
            else if (args[i] == "--target" && i + 1 < args.Length)
                TargetAccuracy = double.Parse(args[i + 1], CultureInfo.InvariantCulture) / 100;
            else if (args[i] == "--seconds" && i + 1 < args.Length)
                TargetSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else
            {
                Console.Error.WriteLine($"Unknown option '{args[i]}' (use --config FILE.yaml, --set name=value, --target PERCENT, --seconds S).");
                return 2;
            }
            i++;
        }
        options.Validate();

        var clock = Stopwatch.StartNew();
        var (train, test) = FashionMnist.LoadAny(FashionMnist.Locate(options.Data).Directory);
        var data = DataSplits.Create(train, test, options);
        var folder = RunFolder.Create(options.Output, options.Model, options.Name, options.Experiment, Path.Combine(options.Output, "atelier.db"));
        var observer = new TestEvaluatingObserver(options, data, folder, clock);
        Console.WriteLine($"{options.Model}, {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer} lr {options.LearningRate} {options.Schedule}; " +
            $"load average {BenchSupport.LoadAverage():F2}");
        Console.WriteLine("epoch   seconds   val acc   test acc   no TTA");
        var result = new TrainingRun(options, observer).RunIn(data, folder, CancellationToken.None);
        clock.Stop();
        double total = clock.Elapsed.TotalSeconds;
        if (options.Output == scratch) Directory.Delete(scratch, recursive: true); // a folder given with --set output=DIR keeps the run

        bool met = result.Test.Accuracy >= TargetAccuracy && total < TargetSeconds;
        var points = observer.Points;
        double plainFinal = points.FirstOrDefault(p => p.Epoch == result.BestEpoch)?.PlainAccuracy ?? double.NaN;
        Console.WriteLine($"final (best epoch {result.BestEpoch}): test accuracy {result.Test.Accuracy:P2} ({plainFinal:P2} without TTA) after {total:F1} s of wall time " +
            $"(target ≥ {TargetAccuracy:P1} in < {TargetSeconds:F0} s: {(met ? "met" : "NOT met")})");
        string json = BenchSupport.WriteResult("time-to-accuracy", new
        {
            machine = BenchSupport.Machine(),
            date = DateTimeOffset.UtcNow,
            options = TrainOptionTable.ToPairs(options).ToDictionary(p => p.Key, p => p.Value),
            // No validation set (val-size 0): the validation accuracy is NaN, which JSON cannot hold: null.
            epochs = points.Select(p => new { epoch = p.Epoch, seconds = p.Seconds, val_accuracy = double.IsNaN(p.ValAccuracy) ? (double?)null : p.ValAccuracy,
                test_accuracy = p.TestAccuracy, test_accuracy_no_tta = p.PlainAccuracy }),
            final = new { best_epoch = result.BestEpoch, test_accuracy = result.Test.Accuracy, test_accuracy_no_tta = plainFinal, seconds = total, target_met = met },
        });
        string stem = Path.ChangeExtension(json, null);
        RunFolder.WriteAtomically(stem + ".csv", "epoch,seconds,val_accuracy,test_accuracy,test_accuracy_no_tta\n" + string.Concat(points.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Epoch},{p.Seconds:F2},{p.ValAccuracy:F4},{p.TestAccuracy:F4},{p.PlainAccuracy:F4}\n"))));
        RunFolder.WriteAtomically(stem + ".svg", Chart(points, result.Test.Accuracy, total, options).ToSvg());
        Console.WriteLine($"wrote {json} and its .csv and .svg");
        return 0;
    }

    private static LineChart Chart(IReadOnlyList<Point> points, double finalAccuracy, double total, TrainOptions options)
    {
        // Minutes once the run is longer than ten.
        double unit = Math.Max(TargetSeconds, total) > 600 ? 60 : 1;
        double[] time = points.Select(p => p.Seconds / unit).ToArray();
        var chart = new LineChart
        {
            Title = $"Time to accuracy: {options.Model}, {options.Epochs} epochs, 2-core CPU",
            XLabel = "wall time", XUnit = unit == 60 ? "min" : "s", YLabel = "accuracy", YUnit = "%", XMin = 0, XMax = Math.Max(TargetSeconds, total) / unit * 1.05,
        };
        chart.Add(new LineSeries($"test accuracy{(options.UsesFlipTta ? " (flip TTA)" : "")}, last weights of each epoch", time, points.Select(p => 100 * p.TestAccuracy).ToArray()) { Markers = true });
        if (options.UsesFlipTta)
            chart.Add(new LineSeries("test accuracy without TTA", time, points.Select(p => 100 * p.PlainAccuracy).ToArray()) { Markers = true });
        bool validated = points.All(p => !double.IsNaN(p.ValAccuracy)); // NaN with val-size 0: nothing held out
        if (validated) chart.Add(new LineSeries("validation accuracy", time, points.Select(p => 100 * p.ValAccuracy).ToArray()) { Dashed = true });
        chart.Add(new LineSeries($"final test accuracy, best epoch ({100 * finalAccuracy:F2}%)", [total / unit], [100 * finalAccuracy]) { Markers = true });
        double target = 100 * TargetAccuracy, deadline = TargetSeconds / unit;
        chart.Add(new LineSeries(string.Create(CultureInfo.InvariantCulture, $"target: {target:0.#}% in {deadline:0} {(unit == 60 ? "min" : "s")}"),
            [0, deadline, deadline], [target, target, target - 10]) { Dashed = true, Color = "#777777" });
        chart.YMin = Math.Max(0, Math.Floor(points.Min(p => 100 * Math.Min(Math.Min(p.TestAccuracy, p.PlainAccuracy), validated ? p.ValAccuracy : 1)) - 1));
        chart.YMax = 100;
        return chart;
    }

    private sealed record Point(int Epoch, double Seconds, double ValAccuracy, double TestAccuracy, double PlainAccuracy);

    /// <summary>Evaluates each epoch's last checkpoint on the test set with the run's clock paused.</summary>
    private sealed class TestEvaluatingObserver(TrainOptions options, DataSplits data, RunFolder folder, Stopwatch clock) : ITrainingObserver
    {
        public List<Point> Points { get; } = [];

        public void EpochEnded(EpochMetrics metrics, bool isBest)
        {
            clock.Stop();
            double seconds = clock.Elapsed.TotalSeconds;
            var model = Checkpoint.Load(folder.File(RunFolder.LastCheckpoint)).Inference;
            double test = Evaluator.Evaluate(model, data.EvalLoader(data.Test, 256), data.ClassNames.Count, options.UsesFlipTta).Accuracy;
            double plain = options.UsesFlipTta ? Evaluator.Evaluate(model, data.EvalLoader(data.Test, 256), data.ClassNames.Count, false).Accuracy : test;
            Points.Add(new Point(metrics.Epoch, seconds, metrics.ValAccuracy, test, plain));
            Console.WriteLine($"{metrics.Epoch,5} {seconds,9:F1} {(double.IsNaN(metrics.ValAccuracy) ? "–" : $"{100 * metrics.ValAccuracy:F2}%"),9} {100 * test,9:F2}% {100 * plain,7:F2}%");
            clock.Start();
        }
    }
}
