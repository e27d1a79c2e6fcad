using System.Text.Json;
using Atelier.Training;

namespace Atelier.Reports;

/// <summary>A run folder's options.json, metrics.json and results.json as a report reads them, each checked field by field (see <see cref="RunFolderJson"/>).</summary>
internal static class RunFolderFiles
{
    /// <summary>More test images than any dataset has: a confusion matrix beyond this is damage, and counting it up would take hours.</summary>
    public const long MaxTestImages = 100_000_000;

    public static TrainOptions ReadOptions(RunFolder folder)
    {
        string file = folder.File(RunFolder.OptionsFile);
        var pairs = new List<KeyValuePair<string, string>>();
        using (var doc = RunFolderJson.Parse(file))
        {
            var root = RunFolderJson.Object(doc.RootElement, file, "the file");
            foreach (var p in root.EnumerateObject())
                pairs.Add(new(p.Name, RunFolderJson.Text(p.Value, file, $"option '{p.Name}'")));
        }
        try
        {
            return TrainOptionTable.FromPairs(pairs);
        }
        catch (ArgumentException)
        {
            // Name the culprit: the one pair that fails on its own.
            foreach (var pair in pairs)
            {
                try
                {
                    TrainOptionTable.FromPairs([pair]);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"{file}: option '{pair.Key}' is damaged ({e.Message.TrimEnd('.')}); rerun the run or delete the folder.");
                }
            }
            throw;
        }
    }

    public static List<EpochMetrics> ReadHistory(RunFolder folder)
    {
        string file = folder.File(RunFolder.HistoryJson);
        if (!File.Exists(file)) return [];
        using var doc = RunFolderJson.Parse(file);
        var history = new List<EpochMetrics>();
        int index = 0;
        foreach (var row in RunFolderJson.Array(doc.RootElement, file, "the file").EnumerateArray())
        {
            string entry = $"entry {++index}";
            RunFolderJson.Object(row, file, entry);
            double Field(string name) => RunFolderJson.Number(RunFolderJson.Required(row, name, file, $"{entry}'s '{name}'"), file, $"{entry}'s '{name}'");
            var epoch = RunFolderJson.Required(row, "epoch", file, $"{entry}'s 'epoch'");
            long number = RunFolderJson.Count(epoch, file, $"{entry}'s 'epoch'");
            if (number > int.MaxValue) throw RunFolderJson.Wrong(file, $"{entry}'s 'epoch'", "an epoch number", epoch);
            history.Add(new EpochMetrics((int)number, Field("train_loss"), Field("train_accuracy"), Field("val_loss"), Field("val_accuracy"), Field("learning_rate"), Field("seconds")));
        }
        return history;
    }

    public static (Dictionary<string, double> Metrics, List<string> Classes, ConfusionMatrix Matrix) ReadResults(string file)
    {
        using var doc = RunFolderJson.Parse(file);
        var root = RunFolderJson.Object(doc.RootElement, file, "the file");
        var metrics = new Dictionary<string, double>();
        foreach (var p in RunFolderJson.Object(RunFolderJson.Required(root, "metrics", file, "'metrics'"), file, "'metrics'").EnumerateObject())
            metrics[p.Name] = RunFolderJson.Number(p.Value, file, $"metric '{p.Name}'");

        var names = new List<string>();
        foreach (var c in RunFolderJson.Array(RunFolderJson.Required(root, "classes", file, "'classes'"), file, "'classes'").EnumerateArray())
            names.Add(RunFolderJson.Text(c, file, $"class {names.Count + 1} of 'classes'"));
        if (names.Count == 0) throw new InvalidDataException($"{file}: 'classes' is empty; the file is damaged (rerun the run or delete the file).");

        var rows = RunFolderJson.Array(RunFolderJson.Required(root, "confusion_matrix", file, "'confusion_matrix'"), file, "'confusion_matrix'");
        if (rows.GetArrayLength() != names.Count)
            throw new InvalidDataException($"{file}: 'confusion_matrix' has {rows.GetArrayLength()} rows for the {names.Count} classes; the file is damaged.");
        var matrix = new ConfusionMatrix(names.Count);
        long total = 0;
        int a = 0;
        foreach (var row in rows.EnumerateArray())
        {
            string field = $"row {a + 1} of 'confusion_matrix'";
            if (RunFolderJson.Array(row, file, field).GetArrayLength() != names.Count)
                throw new InvalidDataException($"{file}: {field} has {row.GetArrayLength()} counts for the {names.Count} classes; the file is damaged.");
            int p = 0;
            foreach (var cell in row.EnumerateArray())
            {
                long count = RunFolderJson.Count(cell, file, $"{field}, column {p + 1}");
                if ((total += count) > MaxTestImages || total < 0)
                    throw new InvalidDataException($"{file}: 'confusion_matrix' counts more than {MaxTestImages:N0} test images; the file is damaged.");
                for (long k = 0; k < count; k++) matrix.Add(a, p);
                p++;
            }
            a++;
        }
        return (metrics, names, matrix);
    }
}
