using System.Diagnostics;
using System.Globalization;
using Atelier.Data;
using Atelier.Reports;
using Atelier.Training;

namespace Atelier.Bench;

/// <summary>
/// Time to accuracy of the default `atelier train` (or with options changed by --set name=value): the same
/// TrainingRun the CLI runs, on a wall clock that starts before the dataset is read and stops after the final test
/// evaluation. After each epoch the clock pauses while the epoch's last checkpoint is evaluated on the test set, so
/// the curve of test accuracy against seconds costs the run nothing. Writes the curve as JSON, CSV and SVG.
/// </summary>
internal static class TimeToAccuracyBenchmark
{
    private const double TargetAccuracy = 0.935, TargetSeconds = 300;

    public static int Run(string[] args)
    {
        var options = new TrainOptions { Output = Path.Combine(Path.GetTempPath(), $"atelier-tta-{Environment.ProcessId}") };
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--set" && i + 1 < args.Length && args[i + 1].Split('=', 2) is [var name, var value])
            {
                TrainOptionTable.Set(options, name, value);
                i++;
                continue;
            }
            Console.Error.WriteLine($"Unknown option '{args[i]}' (use --set name=value, e.g. --set epochs=10).");
            return 2;
        }
        options.Validate();

        var clock = Stopwatch.StartNew();
        var (train, test) = FashionMnist.LoadAny(FashionMnist.Locate(options.Data).Directory);
        var data = DataSplits.Create(train, test, options);
        var folder = RunFolder.Create(options.Output, options.Model, options.Name, options.Experiment, Path.Combine(options.Output, "atelier.db"));
        var observer = new TestEvaluatingObserver(options, data, folder, clock);
        Console.WriteLine($"{options.Model}, {options.Epochs} epochs, batch {options.BatchSize}, {options.Optimizer} lr {options.LearningRate} {options.Schedule}; " +
            $"load average {BenchSupport.LoadAverage():F2}");
        Console.WriteLine("epoch   seconds   val acc   test acc");
        var result = new TrainingRun(options, observer).RunIn(data, folder, CancellationToken.None);
        clock.Stop();
        double total = clock.Elapsed.TotalSeconds;
        Directory.Delete(options.Output, recursive: true);

        bool met = result.Test.Accuracy >= TargetAccuracy && total < TargetSeconds;
        Console.WriteLine($"final (best epoch {result.BestEpoch}): test accuracy {result.Test.Accuracy:P2} after {total:F1} s of wall time " +
            $"(target ≥ {TargetAccuracy:P1} in < {TargetSeconds:F0} s: {(met ? "met" : "NOT met")})");
        var points = observer.Points;
        string json = BenchSupport.WriteResult("time-to-accuracy", new
        {
            machine = BenchSupport.Machine(),
            date = DateTimeOffset.UtcNow,
            options = TrainOptionTable.ToPairs(options).ToDictionary(p => p.Key, p => p.Value),
            epochs = points.Select(p => new { epoch = p.Epoch, seconds = p.Seconds, val_accuracy = p.ValAccuracy, test_accuracy = p.TestAccuracy }),
            final = new { best_epoch = result.BestEpoch, test_accuracy = result.Test.Accuracy, seconds = total, target_met = met },
        });
        string stem = Path.ChangeExtension(json, null);
        RunFolder.WriteAtomically(stem + ".csv", "epoch,seconds,val_accuracy,test_accuracy\n" + string.Concat(points.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{p.Epoch},{p.Seconds:F2},{p.ValAccuracy:F4},{p.TestAccuracy:F4}\n"))));
        RunFolder.WriteAtomically(stem + ".svg", Chart(points, result.Test.Accuracy, total, options).ToSvg());
        Console.WriteLine($"wrote {json} and its .csv and .svg");
        return 0;
    }

    private static LineChart Chart(IReadOnlyList<Point> points, double finalAccuracy, double total, TrainOptions options)
    {
        double[] seconds = points.Select(p => p.Seconds).ToArray();
        var chart = new LineChart
        {
            Title = $"Time to accuracy: {options.Model}, {options.Epochs} epochs, 2-core CPU",
            XLabel = "wall time", XUnit = "s", YLabel = "accuracy", YUnit = "%", XMin = 0, XMax = Math.Max(TargetSeconds, total) * 1.05,
        };
        chart.Add(new LineSeries("test accuracy (last weights of each epoch)", seconds, points.Select(p => 100 * p.TestAccuracy).ToArray()) { Markers = true });
        chart.Add(new LineSeries("validation accuracy", seconds, points.Select(p => 100 * p.ValAccuracy).ToArray()) { Dashed = true });
        chart.Add(new LineSeries($"final test accuracy, best epoch ({100 * finalAccuracy:F2}%)", [total], [100 * finalAccuracy]) { Markers = true });
        chart.Add(new LineSeries("target: 93.5% in 300 s", [0, TargetSeconds, TargetSeconds], [100 * TargetAccuracy, 100 * TargetAccuracy, 100 * TargetAccuracy - 10]) { Dashed = true, Color = "#777777" });
        chart.YMin = Math.Max(0, Math.Floor(points.Min(p => 100 * Math.Min(p.TestAccuracy, p.ValAccuracy)) - 1));
        chart.YMax = 100;
        return chart;
    }

    private sealed record Point(int Epoch, double Seconds, double ValAccuracy, double TestAccuracy);

    /// <summary>Evaluates each epoch's last checkpoint on the test set with the run's clock paused.</summary>
    private sealed class TestEvaluatingObserver(TrainOptions options, DataSplits data, RunFolder folder, Stopwatch clock) : ITrainingObserver
    {
        public List<Point> Points { get; } = [];

        public void EpochEnded(EpochMetrics metrics, bool isBest)
        {
            clock.Stop();
            double seconds = clock.Elapsed.TotalSeconds;
            var model = Checkpoint.Load(folder.File(RunFolder.LastCheckpoint)).Model;
            double test = Evaluator.Evaluate(model, data.EvalLoader(data.Test, 256), data.ClassNames.Count, options.UsesFlipTta).Accuracy;
            Points.Add(new Point(metrics.Epoch, seconds, metrics.ValAccuracy, test));
            Console.WriteLine($"{metrics.Epoch,5} {seconds,9:F1} {100 * metrics.ValAccuracy,8:F2}% {100 * test,9:F2}%");
            clock.Start();
        }
    }
}
