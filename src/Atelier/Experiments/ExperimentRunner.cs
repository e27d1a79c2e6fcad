using Atelier.Data;
using Atelier.Training;

namespace Atelier.Experiments;

/// <summary>What an experiment's runs came to, in the order of the spec.</summary>
public sealed record ExperimentResult(ExperimentSpec Spec, string Folder, IReadOnlyList<(ExperimentRun Run, RunFolder Folder)> Runs);

/// <summary>
/// Runs an experiment's runs one after another, each a normal run (folder + run-store row, tagged with the
/// experiment) under runs/&lt;experiment&gt;/&lt;label&gt;/. Finished runs are skipped and an interrupted one resumes,
/// so running the same file again continues where it stopped.
/// </summary>
public sealed class ExperimentRunner(ExperimentSpec spec, string outputRoot, double scale)
{
    public string Folder => Path.Combine(outputRoot, spec.Name);

    /// <summary>Labels of the runs to train (the others are left as they are); null: every run.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Whether this runner trains <paramref name="run"/> (see <see cref="Only"/>).</summary>
    public bool Selects(ExperimentRun run) => Only is null || Only.Contains(run.Label);

    /// <summary>
    /// Refuses to skip or resume a run whose folder was trained with other settings than the spec now gives it (the
    /// YAML was edited, or a --scale demo ran into the same folder): its numbers would pass for the spec's. Throws
    /// InvalidDataException naming the run, the settings that differ, and what to do.
    /// </summary>
    public void CheckStartedRunsMatch()
    {
        foreach (var run in spec.Runs.Where(Selects))
        {
            var folder = FolderOf(run);
            if (!File.Exists(folder.File(RunFolder.ResultsJson)) && !File.Exists(folder.File(RunFolder.ResumeState))) continue;
            var changed = Differences(folder.ReadOptionPairs(), spec.OptionsFor(run, scale));
            if (changed.Count > 0)
                throw new InvalidDataException($"Run '{run.Label}' in {folder.Path} was trained with other settings than the experiment now gives it ({string.Join(", ", changed)}); "
                    + "delete that folder to train it again, or pass another --output.");
        }
    }

    /// <summary>"name saved → wanted" for each option whose saved value differs; where the run happened (threads, folders) does not count.</summary>
    private static List<string> Differences(Dictionary<string, string> saved, TrainOptions wanted) =>
        TrainOptionTable.ToPairs(wanted)
            .Where(p => p.Key is not ("threads" or "output" or "data") && saved.TryGetValue(p.Key, out var old) && old != p.Value)
            .Select(p => $"{p.Key} {Shown(saved[p.Key])} → {Shown(p.Value)}")
            .ToList();

    private static string Shown(string value) => value.Length == 0 ? "unset" : value;

    /// <summary>runs/&lt;experiment&gt;/&lt;label&gt;/, whether or not it exists yet.</summary>
    public RunFolder FolderOf(ExperimentRun run) => new(Path.Combine(Folder, Sanitize(run.Label)));

    /// <param name="fullTrain">the whole training set; each run takes its own validation split and share of it.</param>
    /// <param name="fullTest">the whole test set.</param>
    /// <param name="observerFor">The observer for each run (index, count, run).</param>
    /// <param name="cancel">stops the run in progress, which saves a resumable state.</param>
    public ExperimentResult Run(Dataset fullTrain, Dataset fullTest, Func<int, int, ExperimentRun, ITrainingObserver> observerFor, CancellationToken cancel)
    {
        CheckStartedRunsMatch();
        var done = new List<(ExperimentRun, RunFolder)>();
        for (int i = 0; i < spec.Runs.Count; i++)
        {
            var run = spec.Runs[i];
            if (!Selects(run)) continue;
            var options = spec.OptionsFor(run, scale);
            options.Output = Folder;
            var folder = FolderOf(run);
            // Experiment runs share the one run store of the output folder (runs/atelier.db) with every other run.
            string storePath = Path.Combine(outputRoot, "atelier.db");
            // Held before looking at the folder: another process of the same experiment may be finishing it right now.
            using var hold = Hold(run, storePath);
            if (File.Exists(folder.File(RunFolder.ResultsJson)))
            {
                done.Add((run, folder));
                continue;
            }
            var observer = observerFor(i, spec.Runs.Count, run);
            var data = DataSplits.Create(fullTrain, fullTest, options);
            var training = new TrainingRun(options, observer) { StorePath = storePath };
            if (File.Exists(folder.File(RunFolder.ResumeState))) training.Resume(data, folder, cancel);
            else
            {
                if (Directory.Exists(folder.Path)) Directory.Delete(folder.Path, recursive: true);
                Directory.CreateDirectory(folder.Path);
                training.RunIn(data, folder, cancel);
            }
            done.Add((run, folder));
        }
        return new ExperimentResult(spec, Folder, done);
    }

    /// <summary>
    /// Holds a run of the experiment for this process while it trains: the same experiment started twice at once must
    /// not delete or resume the folder the other is training. An OS file lock (released when the process dies, even
    /// by kill -9) on runs/&lt;experiment&gt;/.&lt;label&gt;.lock.
    /// </summary>
    private FileStream Hold(ExperimentRun run, string storePath)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, $".{Sanitize(run.Label)}.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            string id = FolderOf(run).Identity(spec.Name, storePath).Id;
            throw new RunConflictException($"Run {id} is being trained right now{Trainer(id, storePath)} (another `atelier experiment` of the same file?): wait for it to end, or stop it first.");
        }
    }

    /// <summary>" by process P on HOST" when the store knows who trains the run.</summary>
    private static string Trainer(string id, string storePath)
    {
        if (!File.Exists(storePath)) return "";
        using var store = new RunStore(storePath, readOnly: true);
        return store.Find(id) is { Status: "running" } live ? $" by process {live.ProcessId} on {live.Host}" : "";
    }

    public static string Sanitize(string label)
    {
        var chars = label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '=' ? c : '_').ToArray();
        return new string(chars);
    }
}
