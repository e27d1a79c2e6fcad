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
        // Not RunFolder's own readers: they let a damaged file through as a JsonException; these name the file and field.
        var data = new RunReportData(folder, RunFolderFiles.ReadOptions(folder)) { History = RunFolderFiles.ReadHistory(folder) };
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
        var (metrics, names, matrix) = RunFolderFiles.ReadResults(path);
        Metrics = metrics;
        ClassNames = names;
        Matrix = matrix;
        Classification = matrix.Report();
    }
}
