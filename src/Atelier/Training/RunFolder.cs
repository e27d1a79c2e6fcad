using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Atelier.Training;

/// <summary>
/// A run's folder, runs/&lt;timestamp&gt;-&lt;model&gt;/: options, per-epoch metrics (CSV and JSON), checkpoints, results.
/// Every file is written to a temporary name and renamed, so none is ever half-written.
/// </summary>
public sealed class RunFolder
{
    public const string OptionsFile = "options.json";
    public const string HistoryCsv = "metrics.csv";
    public const string HistoryJson = "metrics.json";
    public const string BestCheckpoint = "best.safetensors";
    public const string LastCheckpoint = "last.safetensors";
    public const string ResumeState = "resume.safetensors";
    public const string ResultsJson = "results.json";

    public RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Id = System.IO.Path.GetFileName(Path);
    }

    public string Path { get; }
    public string Id { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;model&gt;[-n]/ under <paramref name="root"/>.</summary>
    public static RunFolder Create(string root, string model, string? name)
    {
        string stem = $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Sanitize(name ?? model)}";
        try
        {
            Directory.CreateDirectory(root);
            for (int n = 1; ; n++)
            {
                string path = System.IO.Path.Combine(root, n == 1 ? stem : $"{stem}-{n}");
                if (Directory.Exists(path)) continue;
                Directory.CreateDirectory(path);
                return new RunFolder(path);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Cannot create a run folder under '{root}': {e.Message} Choose another folder with --output.", e);
        }
    }

    /// <summary>Writes text atomically (temp file in the same folder, then rename).</summary>
    public static void WriteAtomically(string path, string text) => WriteAtomically(path, Encoding.UTF8.GetBytes(text));

    public static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        System.IO.File.Move(temp, path, overwrite: true);
    }

    public void WriteOptions(TrainOptions options)
    {
        var pairs = TrainOptionTable.ToPairs(options).ToDictionary(p => p.Key, p => p.Value);
        WriteAtomically(File(OptionsFile), JsonSerializer.Serialize(pairs, JsonOptions));
    }

    public TrainOptions ReadOptions() => TrainOptionTable.FromPairs(ReadOptionPairs());

    /// <summary>options.json as written: option name to value, as the command line spells it.</summary>
    public Dictionary<string, string> ReadOptionPairs()
    {
        var path = File(OptionsFile);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"'{Path}' is not a run folder: it has no {OptionsFile}.");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(System.IO.File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    public void WriteHistory(IReadOnlyList<EpochMetrics> history)
    {
        var csv = new StringBuilder("epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds\n");
        foreach (var m in history)
            csv.Append(CultureInfo.InvariantCulture, $"{m.Epoch},{m.TrainLoss:R},{m.TrainAccuracy:R},{m.ValLoss:R},{m.ValAccuracy:R},{m.LearningRate:R},{m.Seconds:F3}\n");
        WriteAtomically(File(HistoryCsv), csv.ToString());
        WriteAtomically(File(HistoryJson), JsonSerializer.Serialize(history, JsonOptions));
    }

    public List<EpochMetrics> ReadHistory()
    {
        var path = File(HistoryJson);
        return System.IO.File.Exists(path) ? JsonSerializer.Deserialize<List<EpochMetrics>>(System.IO.File.ReadAllText(path), JsonOptions) ?? [] : [];
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Sanitize(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s) sb.Append(char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        return sb.ToString();
    }
}
