using System.Globalization;
using Atelier.Training;
using Atelier.Tuning;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// What `atelier tune` shows while it works: a bar over the study's trials and one over the running trial's epochs, a
/// line per finished trial (number, parameters, value, state, seconds) and the best so far. Plain lines when the
/// output is not a terminal.
/// </summary>
internal sealed class TrialPrinter(Study study, int? trials)
{
    private ProgressTask? trialTask, epochTask;

    public void Run(Action optimize)
    {
        if (Terminal.IsPlain)
        {
            optimize();
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                int finished = study.Trials.Count(t => t.State.IsFinished());
                trialTask = ctx.AddTask("trials", maxValue: trials ?? Math.Max(1, finished + 1));
                trialTask.Value = Math.Min(finished, trialTask.MaxValue);
                epochTask = ctx.AddTask("epochs", maxValue: 1);
                optimize();
            });
    }

    public void Started(Trial trial)
    {
        if (trialTask is not null) trialTask.Description = $"trial {trial.Number}";
    }

    public ITrainingObserver ObserverFor(Trial trial, TrainOptions options) => new EpochObserver(this, trial);

    public void Finished(FrozenTrial trial)
    {
        var all = study.Trials;
        int done = all.Count(t => t.State.IsFinished());
        if (trialTask is not null)
        {
            if (trials is null) trialTask.MaxValue = done + 1;
            trialTask.Value = Math.Min(done, trialTask.MaxValue);
        }
        var best = Study.Best(all, study.Direction);
        string reason = trial.State == TrialState.Fail && trial.Attributes.TryGetValue("fail_reason", out var why) ? $" ({why})" : "";
        string seconds = (trial.Seconds ?? 0).ToString("F1", CultureInfo.InvariantCulture);
        string line = $"trial {trial.Number} {trial.State.Name()}: {Value(trial.Value)}{reason}, {Params(trial)}, {seconds} s; "
            + (best is null ? "no complete trial yet." : $"best {Value(best.Value)} (trial {best.Number}), {done}{(trials is { } n ? $"/{n}" : "")} finished.");
        if (Terminal.IsPlain) Console.WriteLine(line);
        else AnsiConsole.MarkupLine(Markup.Escape(line));
    }

    public static string Value(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "no value";

    /// <summary>"lr=0.01234 optimizer=sgd": floats to 4 significant digits, the rest as stored.</summary>
    public static string Params(FrozenTrial trial) =>
        trial.Params.Count == 0 ? "no parameters" : string.Join(" ", trial.Params.Keys.Select(k => $"{k}={trial.ShortParam(k)}"));

    private sealed class EpochObserver(TrialPrinter printer, Trial trial) : ITrainingObserver
    {
        public void EpochStarted(int epoch, int total, int batches)
        {
            if (printer.epochTask is not { } task) return;
            task.MaxValue = total;
            task.Value = epoch - 1;
            task.Description = $"trial {trial.Number}: epoch {epoch}/{total}";
        }

        public void EpochEnded(EpochMetrics m, bool isBest)
        {
            if (printer.epochTask is { } task) task.Value = m.Epoch;
            else Console.WriteLine($"trial {trial.Number}: {Progress.EpochLine(m, isBest)}");
        }

        public void Message(string text)
        {
            if (Terminal.IsPlain) Console.WriteLine($"trial {trial.Number}: {text}");
        }
    }
}
