using System.Globalization;
using Atelier.Data;
using Atelier.Training;

namespace Atelier.Tuning;

/// <summary>
/// The objective of `atelier tune`: each trial is an ordinary training run (folder runs/&lt;study&gt;/trial-NNNN, run-store
/// row tagged with the study) with the trial's parameters over the file's base options. Each epoch's validation value
/// is reported as the trial's intermediate value, and the pruner may stop the run there. The observer of a trial's run
/// comes from observerFor (the trial, its options).
/// </summary>
public sealed class TrainingObjective(TuneSpec spec, Dataset fullTrain, Dataset fullTest, string outputRoot, double scale,
    Func<Trial, TrainOptions, ITrainingObserver> observerFor, CancellationToken cancel)
{
    public string StudyFolder => Path.Combine(outputRoot, spec.Name);

    public string StorePath => Path.Combine(outputRoot, "atelier.db");

    public double Evaluate(Trial trial)
    {
        var parameters = spec.Suggest(trial);
        var options = spec.OptionsFor(parameters, scale, trial.Number);
        options.Output = StudyFolder;
        if (Infeasible(options) is { } reason)
        {
            // Parameters the model cannot be built with (e.g. a dropout it doubles past 1) are an answer too: no run, the trial fails.
            trial.SetAttribute("fail_reason", reason);
            return double.NaN;
        }
        var folder = Claim(trial.Number);
        trial.SetAttribute("run", folder.Id);
        trial.SetAttribute("folder", Path.GetFullPath(folder.Path));
        var data = DataSplits.Create(fullTrain, fullTest, options);
        var run = new TrainingRun(options, observerFor(trial, options))
        {
            StorePath = StorePath,
            StopAfter = epoch =>
            {
                trial.Report(spec.Objective.IsLoss ? epoch.ValLoss : epoch.ValAccuracy, epoch.Epoch);
                return trial.ShouldPrune();
            },
        };
        RunResult result;
        try
        {
            result = run.RunIn(data, folder, cancel);
        }
        catch (RunPrunedException e)
        {
            throw new TrialPrunedException(string.Create(CultureInfo.InvariantCulture, $"Trial {trial.Number} was pruned after epoch {e.Epoch}."));
        }
        catch (NonFiniteLossException e)
        {
            // A learning rate that diverges is an answer, not an error: the trial fails and the study goes on.
            trial.SetAttribute("fail_reason", e.Message);
            return double.NaN;
        }
        var best = result.History.First(h => h.Epoch == result.BestEpoch);
        return spec.Objective.Metric switch
        {
            "val-accuracy" => best.ValAccuracy,
            "val-loss" => best.ValLoss,
            "test-accuracy" => result.Test.Accuracy,
            _ => result.Test.Loss,
        };
    }

    private string? Infeasible(TrainOptions options)
    {
        try
        {
            Models.ModelZoo.Get(options.Model).Build(options.ModelOptionsFor(1, fullTrain.Height, fullTrain.Width, fullTrain.ClassCount));
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>runs/&lt;study&gt;/trial-NNNN, or trial-NNNN-2… when a folder of that name is left from an earlier study of the same name.</summary>
    private RunFolder Claim(int number)
    {
        Directory.CreateDirectory(StudyFolder);
        for (int n = 1; ; n++)
        {
            string label = TuneSpec.TrialLabel(number) + (n == 1 ? "" : $"-{n}");
            var folder = new RunFolder(Path.Combine(StudyFolder, label));
            if (folder.TryClaim(spec.Name, StorePath)) return folder;
        }
    }
}
