using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Atelier.Training;

/// <summary>The final results of a run as files: results.json, per-class metrics and the confusion matrix as CSV.</summary>
public static class Results
{
    public const string PerClassCsv = "per_class.csv";
    public const string ConfusionCsv = "confusion_matrix.csv";
    public const string PredictionsCsv = "test_predictions.csv";

    /// <summary>The headline numbers, as stored in the run store's final_metrics.</summary>
    public static List<KeyValuePair<string, double>> KeyMetrics(RunResult r) =>
    [
        new("test_accuracy", r.Report.Accuracy),
        new("test_loss", r.Test.Loss),
        new("macro_precision", r.Report.MacroPrecision),
        new("macro_recall", r.Report.MacroRecall),
        new("macro_f1", r.Report.MacroF1),
        new("weighted_f1", r.Report.WeightedF1),
        new("train_loss", r.History.Count > 0 ? r.History[^1].TrainLoss : double.NaN),
        new("val_loss", r.History.Count > 0 ? r.History[^1].ValLoss : double.NaN),
        new("val_accuracy", r.History.Count > 0 ? r.History[^1].ValAccuracy : double.NaN),
        new("best_val_loss", r.History.Select(h => h.ValLoss).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min()),
        new("epochs", r.History.Count),
        new("best_epoch", r.BestEpoch),
        new("training_seconds", r.TrainingSeconds),
        new("images_per_second", r.ImagesPerSecond),
    ];

    /// <param name="r">the finished run whose results are written into its folder.</param>
    /// <param name="runId">the run's id in the store (the folder's name, prefixed by the experiment for experiment runs).</param>
    public static void Write(RunResult r, string? runId = null)
    {
        var report = r.Report;
        var perClass = new List<object>();
        var csv = new StringBuilder("class,precision,recall,f1,support\n");
        for (int c = 0; c < report.Classes; c++)
        {
            perClass.Add(new { name = r.ClassNames[c], precision = report.Precision[c], recall = report.Recall[c], f1 = report.F1[c], support = report.Support[c] });
            csv.Append(CultureInfo.InvariantCulture, $"{Quote(r.ClassNames[c])},{report.Precision[c]:R},{report.Recall[c]:R},{report.F1[c]:R},{report.Support[c]}\n");
        }
        RunFolder.WriteAtomically(r.Folder.File(PerClassCsv), csv.ToString());

        var matrix = new StringBuilder("actual\\predicted," + string.Join(",", r.ClassNames.Select(Quote)) + "\n");
        var counts = new long[report.Classes][];
        for (int a = 0; a < report.Classes; a++)
        {
            counts[a] = new long[report.Classes];
            for (int p = 0; p < report.Classes; p++) counts[a][p] = r.Matrix[a, p];
            matrix.Append(Quote(r.ClassNames[a])).Append(',').Append(string.Join(",", counts[a])).Append('\n');
        }
        RunFolder.WriteAtomically(r.Folder.File(ConfusionCsv), matrix.ToString());

        var predictions = new StringBuilder("index,actual,predicted,confidence\n");
        for (int i = 0; i < r.Test.Actual.Length; i++)
            predictions.Append(CultureInfo.InvariantCulture, $"{i},{r.Test.Actual[i]},{r.Test.Predicted[i]},{r.Test.Probabilities[i * r.Test.Classes + r.Test.Predicted[i]]:F4}\n");
        RunFolder.WriteAtomically(r.Folder.File(PredictionsCsv), predictions.ToString());

        var json = new
        {
            run = runId ?? r.Folder.Id,
            metrics = KeyMetrics(r).ToDictionary(p => p.Key, p => p.Value),
            macro = new { precision = report.MacroPrecision, recall = report.MacroRecall, f1 = report.MacroF1 },
            weighted = new { precision = report.WeightedPrecision, recall = report.WeightedRecall, f1 = report.WeightedF1 },
            per_class = perClass,
            classes = r.ClassNames,
            confusion_matrix = counts,
            stopped_early = r.StoppedEarly,
        };
        RunFolder.WriteAtomically(r.Folder.File(RunFolder.ResultsJson), JsonSerializer.Serialize(json, RunFolder.JsonOptions));
    }

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
