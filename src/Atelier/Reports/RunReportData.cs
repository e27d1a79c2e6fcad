using System.Globalization;
using System.Text.Json;
using Atelier.Training;

namespace Atelier.Reports;

/// <summary>
/// What a report needs from one run folder: its options, per-epoch history and (when it finished) the test-set
/// results. Files that are missing leave their part null or empty, so an interrupted run still draws its curves.
/// </summary>
public sealed class RunReportData
{
    private RunReportData(RunFolder folder, TrainOptions options)
    {
        Folder = folder;
        Options = options;
    }

    public RunFolder Folder { get; }

    /// <summary>The name used in legends and tables: the run folder's name (an experiment run's label).</summary>
    public string Label => Folder.Id;

    public TrainOptions Options { get; }
    public IReadOnlyList<EpochMetrics> History { get; private set; } = [];

    /// <summary>Class names from results.json (the run's dataset); null when the run has no results.</summary>
    public IReadOnlyList<string>? ClassNames { get; private set; }

    /// <summary>Test-set confusion matrix and the metrics derived from it; null when the run has no results.</summary>
    public ConfusionMatrix? Matrix { get; private set; }
    public ClassificationReport? Classification { get; private set; }

    /// <summary>results.json "metrics": test_accuracy, test_loss, macro_f1, training_seconds, …</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; private set; } = new Dictionary<string, double>();

    public bool Finished => Classification is not null;

    /// <summary>The best checkpoint's path, or null when the run saved none.</summary>
    public string? CheckpointPath => File.Exists(Folder.File(RunFolder.BestCheckpoint)) ? Folder.File(RunFolder.BestCheckpoint) : null;

    /// <summary>When the run started (options.json is written once, at the start): orders an experiment's runs.</summary>
    public DateTime Started => File.GetLastWriteTimeUtc(Folder.File(RunFolder.OptionsFile));

    public double Metric(string key) => Metrics.TryGetValue(key, out var v) ? v : double.NaN;

    /// <summary>Training time: results.json's, else the sum of the epochs' seconds.</summary>
    public double TrainingSeconds
    {
        get
        {
            if (Metrics.TryGetValue("training_seconds", out var s)) return s;
            double sum = 0;
            foreach (var h in History) sum += h.Seconds;
            return sum;
        }
    }

    public static bool IsRunFolder(string path) => File.Exists(Path.Combine(path, RunFolder.OptionsFile));

    public static RunReportData Load(string path)
    {
        var folder = new RunFolder(path);
        var data = new RunReportData(folder, folder.ReadOptions()) { History = folder.ReadHistory() };
        string results = folder.File(RunFolder.ResultsJson);
        if (File.Exists(results)) data.ReadResults(results);
        return data;
    }

    /// <summary>
    /// The runs of an experiment folder (runs/&lt;experiment&gt;/&lt;label&gt;/), in the order they started, which is the
    /// order of the experiment file.
    /// </summary>
    public static List<RunReportData> LoadExperiment(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"The folder '{path}' does not exist.");
        var runs = new List<RunReportData>();
        foreach (var dir in Directory.GetDirectories(path))
            if (IsRunFolder(dir)) runs.Add(Load(dir));
        if (runs.Count == 0) throw new InvalidDataException($"'{path}' holds no runs: give a run folder or an experiment folder (runs/<experiment>).");
        runs.Sort((a, b) => a.Started != b.Started ? a.Started.CompareTo(b.Started) : string.CompareOrdinal(a.Label, b.Label));
        return runs;
    }

    private void ReadResults(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}); rerun the run or delete the file.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            var metrics = new Dictionary<string, double>();
            if (root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object)
                foreach (var p in m.EnumerateObject())
                    if (TryNumber(p.Value, out double v)) metrics[p.Name] = v;
            Metrics = metrics;

            if (!root.TryGetProperty("classes", out var classes) || !root.TryGetProperty("confusion_matrix", out var cm)) return;
            var names = new List<string>();
            foreach (var c in classes.EnumerateArray()) names.Add(c.GetString() ?? "");
            var matrix = new ConfusionMatrix(names.Count);
            int a = 0;
            foreach (var row in cm.EnumerateArray())
            {
                int p = 0;
                foreach (var cell in row.EnumerateArray())
                {
                    long count = cell.GetInt64();
                    if (a >= names.Count || p >= names.Count) throw new InvalidDataException($"{path}: the confusion matrix does not match the {names.Count} classes.");
                    for (long k = 0; k < count; k++) matrix.Add(a, p);
                    p++;
                }
                a++;
            }
            ClassNames = names;
            Matrix = matrix;
            Classification = matrix.Report();
        }
    }

    // NaN and infinities are written as strings ("NaN"), as the run folder's JSON options allow.
    private static bool TryNumber(JsonElement e, out double value)
    {
        if (e.ValueKind == JsonValueKind.Number) return e.TryGetDouble(out value);
        if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        value = double.NaN;
        return false;
    }
}
