using System.Globalization;
using Atelier.Data;
using Atelier.Experiments;
using Atelier.Reports;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier experiment FILE.yaml [--scale S] [--only LABELS] [--output runs] [--data DIR] [--threads N] [--no-report]`: every run of
/// the study one after another (finished runs skipped, an interrupted one resumed), a comparison table, and the
/// experiment's report in runs/&lt;experiment&gt;/report.html.
/// </summary>
public static class ExperimentCommand
{
    private const string Usage = "Usage: atelier experiment FILE.yaml [--scale 0.1] [--only label,label] [--output runs] [--data DIR] [--threads N] [--report|--no-report].";

    public static int Run(string[] args)
    {
        string? file = null, data = null, output = "runs";
        double scale = 1;
        int threads = 0;
        bool report = true;
        HashSet<string>? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--scale":
                    string s = Value(args, ref i);
                    if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || !(scale > 0 && scale <= 1))
                        throw new UsageException($"--scale must be a number in (0, 1], got '{s}'.");
                    break;
                case "--output": output = Value(args, ref i); break;
                case "--only": only = Value(args, ref i).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(); break;
                case "--data": data = Value(args, ref i); break;
                case "--threads":
                    string t = Value(args, ref i);
                    if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out threads) || threads < 1)
                        throw new UsageException($"--threads must be a whole number of at least 1, got '{t}'.");
                    break;
                case "--report": report = true; break;
                case "--no-report": report = false; break;
                case "--help" or "-h": Console.WriteLine(Usage); return 0;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"Unknown option '{args[i]}'. {Usage}");
                    if (file is not null) throw new UsageException($"One experiment file at a time; got '{file}' and '{args[i]}'.");
                    file = args[i];
                    break;
            }
        }
        if (file is null) throw new UsageException(Usage);

        var spec = ExperimentSpec.Load(file);
        if (only?.FirstOrDefault(label => spec.Runs.All(r => r.Label != label)) is { } unknown)
            throw new UsageException($"--only: the experiment has no run '{unknown}'; its runs are {string.Join(", ", spec.Runs.Select(r => r.Label))}.");
        var runner = new ExperimentRunner(spec, output, scale) { Only = only };
        runner.CheckStartedRunsMatch();
        var pending = new List<int>();
        for (int i = 0; i < spec.Runs.Count; i++)
        {
            if (!runner.Selects(spec.Runs[i])) continue;
            if (File.Exists(runner.FolderOf(spec.Runs[i]).File(RunFolder.ResultsJson)))
                Console.WriteLine($"run {i + 1}/{spec.Runs.Count}: {spec.Runs[i].Label} is finished: skipped.");
            else pending.Add(i);
        }
        Console.WriteLine($"Experiment {spec.Name}: {spec.Runs.Count} runs ({pending.Count} to train){(scale < 1 ? string.Create(CultureInfo.InvariantCulture, $", scale {scale:G3}") : "")}; folder {Path.GetFullPath(runner.Folder)}.");
        if (spec.Description.Length > 0) Console.WriteLine(spec.Description.Trim());

        var firstOptions = spec.OptionsFor(spec.Runs[0], scale);
        var (train, test) = DataCommand.LoadFull(data ?? firstOptions.Data);

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (pending.Count > 0)
            {
                if (threads > 0) Kernels.Workers.ThreadCount = threads;
                RunAll(runner, spec, scale, train, test, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            CommandLine.Error($"Interrupted: finished runs and the last completed epoch are saved; run `atelier experiment {file}` again to continue.");
            return CommandLine.Interrupted;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        var runs = new List<RunReportData>();
        foreach (var folder in spec.Runs.Select(runner.FolderOf))
            if (RunReportData.IsRunFolder(folder.Path)) runs.Add(RunReportData.Load(folder.Path));
        PrintComparison(runs);
        if (report && runs.Count > 0)
        {
            string path = ReportCommand.Write($"Experiment {spec.Name}", runs, test, Path.Combine(runner.Folder, "report.html"));
            AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(path)}[/]");
        }
        return 0;
    }

    private static void RunAll(ExperimentRunner runner, ExperimentSpec spec, double scale, Dataset train, Dataset test, CancellationToken cancel)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            runner.Run(train, test, (i, n, run) => new PlainObserver(i, n, run.Label), cancel);
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask("runs", maxValue: spec.Runs.Count);
                var observer = new LiveObserver(ctx, overall);
                runner.Run(train, test, (i, n, run) => observer.StartRun(i, n, run.Label, spec.OptionsFor(run, scale).Epochs), cancel);
                overall.Value = spec.Runs.Count;
                overall.Description = $"{spec.Runs.Count} runs done";
            });
    }

    /// <summary>The end-of-experiment table: one row per run with its settings and test results.</summary>
    public static void PrintComparison(IReadOnlyList<RunReportData> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Spectre.Console.Table().Border(TableBorder.Rounded).Title("experiment results (test set)").AddColumn("run").AddColumn("model").AddColumn("optimizer")
            .AddColumn(new TableColumn("lr").RightAligned()).AddColumn(new TableColumn("batch").RightAligned()).AddColumn(new TableColumn("epochs").RightAligned())
            .AddColumn(new TableColumn("test acc").RightAligned()).AddColumn(new TableColumn("macro F1").RightAligned())
            .AddColumn(new TableColumn("train loss").RightAligned()).AddColumn(new TableColumn("val loss").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        double best = runs.Where(r => r.Finished).Select(r => r.Classification!.Accuracy).DefaultIfEmpty(double.NaN).Max();
        foreach (var r in runs)
        {
            var last = r.History.Count > 0 ? r.History[^1] : null;
            string acc = r.Classification is { } c ? (100 * c.Accuracy).ToString("F2", inv) + "%" : "unfinished";
            if (r.Classification?.Accuracy == best && runs.Count > 1) acc = $"[bold green]{acc}[/]";
            table.AddRow(Markup.Escape(r.Label), Markup.Escape(r.Options.Model), Markup.Escape(r.Options.Optimizer), r.Options.LearningRate.ToString("G3", inv),
                r.Options.BatchSize.ToString(inv), r.History.Count.ToString(inv), acc, r.Classification?.MacroF1.ToString("F4", inv) ?? "-",
                last?.TrainLoss.ToString("F4", inv) ?? "-", last is null || double.IsNaN(last.ValLoss) ? "-" : last.ValLoss.ToString("F4", inv),
                r.TrainingSeconds.ToString("F1", inv) + "s");
        }
        AnsiConsole.Write(table);
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new UsageException($"{args[i]} needs a value. {Usage}");
        return args[++i];
    }

    /// <summary>Three bars, reused from run to run: runs of the experiment, epochs of this run, batches of this epoch.</summary>
    private sealed class LiveObserver(ProgressContext ctx, ProgressTask overall) : ITrainingObserver
    {
        private ProgressTask? epochTask, batchTask;
        private string label = "";

        public LiveObserver StartRun(int index, int count, string runLabel, int epochs)
        {
            label = runLabel;
            overall.Value = index;
            overall.Description = Markup.Escape($"run {index + 1}/{count}: {label}");
            epochTask ??= ctx.AddTask("epochs", maxValue: epochs);
            epochTask.MaxValue = epochs;
            epochTask.Value = 0;
            epochTask.Description = "epoch 1";
            AnsiConsole.MarkupLine($"[bold]run {index + 1}/{count}: {Markup.Escape(label)}[/]");
            return this;
        }

        public void EpochStarted(int epoch, int totalEpochs, int batches)
        {
            epochTask!.MaxValue = totalEpochs;
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
            epochTask!.Value = m.Epoch;
            AnsiConsole.MarkupLine(Markup.Escape($"{label}: {Progress.EpochLine(m, isBest)}"));
        }

        public void Message(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    private sealed class PlainObserver : ITrainingObserver
    {
        private readonly string label;

        public PlainObserver(int index, int count, string label)
        {
            this.label = label;
            Console.WriteLine($"run {index + 1}/{count}: {label}");
        }

        public void EpochEnded(EpochMetrics m, bool isBest) => Console.WriteLine($"{label}: {Progress.EpochLine(m, isBest)}");

        public void Message(string text) => Console.WriteLine(text);
    }
}
