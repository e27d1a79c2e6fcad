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

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("scale", "S", "a short version: this fraction of the epochs and training images, in (0, 1]"),
        CliOption.Value("only", "LABELS", "train only these runs (comma-separated labels)"),
        CliOption.Training("output", "the runs folder (the experiment's runs go in OUTPUT/NAME/)"),
        CliOption.Training("data"),
        CliOption.Training("threads"),
        CliOption.Flag("report", "write the experiment's HTML report at the end (--no-report: don't)"),
    ];

    public static CliCommand Definition { get; } = new("experiment", "a study's runs one after another (finished ones skipped), compared, with its report", "FILE.yaml", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count == 0) throw new UsageException(Usage);
        if (parsed.Positional.Count > 1) throw new UsageException($"One experiment file at a time; got '{parsed.Positional[0]}' and '{parsed.Positional[1]}'.");
        double scale = 1;
        if (parsed.Value("scale") is { } s && (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || !(scale > 0 && scale <= 1)))
            throw new UsageException($"--scale must be a number in (0, 1], got '{s}'.");
        var where = new TrainOptions();
        parsed.ApplyTo(where);
        where.Validate();
        string output = where.Output;
        string? data = where.Data;
        int threads = where.Threads;
        bool report = parsed.Flag("report", true);
        HashSet<string>? only = parsed.Value("only")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        if (only is { Count: 0 }) throw new UsageException("--only needs at least one run label.");
        string file = UserPaths.File(parsed.Positional[0], "experiment", "experiment file");

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

        using var signals = new StopSignals();
        try
        {
            if (pending.Count > 0)
            {
                if (threads > 0) Kernels.Workers.ThreadCount = threads;
                RunAll(runner, spec, scale, train, test, signals.Token);
            }
        }
        catch (OperationCanceledException e) when (signals.Received is not null)
        {
            string saved = e is RunInterruptedException { CompletedEpochs: > 0 } r ? $"finished runs and epoch {r.CompletedEpochs} of {r.Folder.Id} are saved" : "finished runs are saved";
            Terminal.Error($"Interrupted: {saved}; run `atelier experiment {file}` again to continue.");
            return signals.ExitCode;
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
        if (Terminal.IsPlain)
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
