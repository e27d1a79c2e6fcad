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
    public const string IdentityFile = RunIdentity.FileName;

    public RunFolder(string path)
    {
        // "runs/x/" (as tab completion writes it) is the same run as "runs/x": the id is the last name, never "".
        Path = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        Id = System.IO.Path.GetFileName(Path);
    }

    public string Path { get; }

    /// <summary>The folder's name; the run's id in the store is <see cref="RunIdentity.Id"/>, which adds the experiment.</summary>
    public string Id { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public bool IsFinished => System.IO.File.Exists(File(ResultsJson));

    /// <summary>
    /// Claims a new folder runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;model&gt;[-n]/ under <paramref name="root"/>. Any number of
    /// processes may call this at the same moment: a folder belongs to the one that creates its identity file
    /// (linked in whole, atomically), so no two runs ever share a folder.
    /// </summary>
    public static RunFolder Create(string root, string model, string? name, string? experiment, string storePath)
    {
        string stem = $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Sanitize(name ?? model)}";
        try
        {
            Directory.CreateDirectory(root);
            for (int n = 1; ; n++)
            {
                var folder = new RunFolder(System.IO.Path.Combine(root, n == 1 ? stem : $"{stem}-{n}"));
                if (folder.TryClaim(experiment, storePath)) return folder;
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Cannot create a run folder under '{root}' (--output): {MessageText(e)}", e);
        }
    }

    /// <summary>
    /// Makes this folder a run's (creating it if needed) unless another run has it already; false when it does.
    /// The identity names the run's id and its store for the whole life of the run, resumes included.
    /// </summary>
    /// <remarks>
    /// The identity is written whole to a file of this claimant's own, then linked under its name (which fails if the
    /// name is taken), so the name is claimed atomically and nobody ever sees it empty or half-written: a
    /// create-then-write claim showed an empty file for as long as the claimant took to write it, which under CI's
    /// load was longer than a reader waited.
    /// </remarks>
    public bool TryClaim(string? experiment, string storePath)
    {
        Directory.CreateDirectory(Path);
        var identity = RunIdentity.For(this, experiment, storePath);
        string target = File(IdentityFile);
        string temp = File($"{IdentityFile}.{Guid.NewGuid():N}.claim");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(identity, JsonOptions)));
                stream.Flush(flushToDisk: true);
            }
            return ExclusiveFile.TryLink(temp, target);
        }
        finally
        {
            System.IO.File.Delete(temp);
        }
    }

    /// <summary>The run's identity: from its identity file, or for folders made before it existed, from the folder's place.</summary>
    public RunIdentity Identity(string? experiment, string defaultStorePath) =>
        RunIdentity.Read(this) ?? RunIdentity.For(this, experiment, defaultStorePath);

    private static string MessageText(Exception e) => e.Message.TrimEnd('.') + ". Choose another folder with --output.";

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

    public TrainOptions ReadOptions()
    {
        var pairs = ReadOptionPairs();
        try
        {
            return TrainOptionTable.FromPairs(pairs);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{File(OptionsFile)} is damaged: {e.Message}", e);
        }
    }

    /// <summary>options.json as written: option name to value, as the command line spells it.</summary>
    public Dictionary<string, string> ReadOptionPairs()
    {
        var path = File(OptionsFile);
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"'{Path}' is not a run folder: it has no {OptionsFile}.");
        return ReadJson<Dictionary<string, string>>(path, "an object of option names to values");
    }

    /// <summary>A JSON file of the run folder; damage of any kind is one sentence naming the file.</summary>
    public static T ReadJson<T>(string path, string shape) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(System.IO.File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path} is damaged: it holds null instead of {shape}.");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" (line {line + 1})" : "";
            throw new InvalidDataException($"{path} is damaged{where}: it is not {shape} as Atelier writes it; restore it or delete the run folder.", e);
        }
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
        return System.IO.File.Exists(path) ? ReadJson<List<EpochMetrics>>(path, "a list of per-epoch metrics") : [];
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
