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

    /// <param name="observerFor">The observer for each run (index, count, run).</param>
    public ExperimentResult Run(Dataset fullTrain, Dataset fullTest, Func<int, int, ExperimentRun, ITrainingObserver> observerFor, CancellationToken cancel)
    {
        var done = new List<(ExperimentRun, RunFolder)>();
        for (int i = 0; i < spec.Runs.Count; i++)
        {
            var run = spec.Runs[i];
            if (!Selects(run)) continue;
            var options = spec.OptionsFor(run, scale);
            options.Output = Folder;
            var folder = new RunFolder(Path.Combine(Folder, Sanitize(run.Label)));
            if (File.Exists(folder.File(RunFolder.ResultsJson)))
            {
                done.Add((run, folder));
                continue;
            }
            var observer = observerFor(i, spec.Runs.Count, run);
            var data = DataSplits.Create(fullTrain, fullTest, options);
            // Experiment runs share the one run store of the output folder (runs/atelier.db) with every other run.
            var training = new TrainingRun(options, observer) { StorePath = Path.Combine(outputRoot, "atelier.db") };
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

    public static string Sanitize(string label)
    {
        var chars = label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '=' ? c : '_').ToArray();
        return new string(chars);
    }
}
