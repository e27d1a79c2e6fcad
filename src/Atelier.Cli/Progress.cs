using System.Globalization;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// Live training progress: epoch and batch bars with loss, accuracy, images/s and ETA on a terminal; one plain line
/// per epoch when stdout is redirected (CI, pipes, files).
/// </summary>
public static class Progress
{
    public static T Run<T>(int epochs, Func<ITrainingObserver, T> work)
    {
        if (Terminal.IsPlain)
            return work(new PlainObserver());
        return AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new LiveObserver(ctx, epochs)));
    }

    private sealed class LiveObserver(ProgressContext ctx, int epochs) : ITrainingObserver
    {
        private readonly ProgressTask epochTask = ctx.AddTask("epochs", maxValue: epochs);
        private ProgressTask? batchTask;

        public void EpochStarted(int epoch, int totalEpochs, int batches)
        {
            epochTask.Value = epoch - 1;
            epochTask.Description = $"epoch {epoch}/{totalEpochs}";
            batchTask ??= ctx.AddTask("batches", maxValue: batches);
            batchTask.MaxValue = batches;
            batchTask.Value = 0;
        }

        public void BatchEnded(int epoch, int batch, double loss, double accuracy, double imagesPerSecond)
        {
            batchTask!.Value = batch;
            batchTask.Description = string.Create(CultureInfo.InvariantCulture, $"loss {loss:F4} acc {accuracy:P1} {imagesPerSecond:N0} img/s");
        }

        public void EpochEnded(EpochMetrics m, bool isBest)
        {
            epochTask.Value = m.Epoch;
            AnsiConsole.MarkupLine(Markup.Escape(EpochLine(m, isBest)));
        }

        public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    private sealed class PlainObserver : ITrainingObserver
    {
        public void EpochEnded(EpochMetrics m, bool isBest) => Console.WriteLine(EpochLine(m, isBest));

        public void Message(string text) => Console.WriteLine(text);
    }

    /// <summary>One epoch as a line of the log; the validation part is left out when the run holds no images out (--val-size 0).</summary>
    public static string EpochLine(EpochMetrics m, bool isBest)
    {
        var inv = CultureInfo.InvariantCulture;
        string validation = double.IsNaN(m.ValLoss) ? "" : string.Create(inv, $"  val loss {m.ValLoss:F4} acc {m.ValAccuracy:P2}");
        return string.Create(inv, $"epoch {m.Epoch,3}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}{validation}  lr {m.LearningRate:G3}  {m.Seconds:F1}s{(isBest ? "  *best" : "")}");
    }
}
