using System.Globalization;
using Atelier.Training;
using Atelier.Tuning;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier tune FILE.yaml [--trials N] [--timeout SECONDS] [--study NAME] [--storage URL] [--scale S] [--heartbeat SECONDS]
/// [--export best.yaml] [--data DIR] [--output DIR] [--threads N]`: a hyperparameter study, each trial an ordinary run.
/// Run again with the same study to continue it; run it on several machines with one --storage to share it.
/// </summary>
public static class TuneCommand
{
    private const string Usage = "Usage: atelier tune FILE.yaml [--trials N] [--timeout SECONDS] [--study NAME] [--storage URL] [--scale S] [--export best.yaml].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("trials", "N", "finished trials the study should have in total (default: the file's 'trials')"),
        CliOption.Value("timeout", "SECONDS", "start no new trial after this many seconds"),
        CliOption.Value("study", "NAME", "the study's name (default: the file's 'name'); the same name continues it"),
        CliOption.Value("storage", "URL", "where the study lives: a SQLite file (default OUTPUT/tuning.db) or postgresql://user@host:port/db"),
        CliOption.Value("scale", "S", "a short version of every trial: this fraction of the epochs and training images, in (0, 1]"),
        CliOption.Value("heartbeat", "SECONDS", "how often a running trial says it is alive; one silent for twice as long is retried elsewhere (default 30)"),
        CliOption.Value("export", "FILE.yaml", "write the best trial's options as a file `atelier train --config` reads"),
        CliOption.Training("output", "the runs folder (trials go in OUTPUT/STUDY/trial-NNNN)"),
        CliOption.Training("data"),
        CliOption.Training("threads"),
    ];

    public static CliCommand Definition { get; } = new("tune", "a hyperparameter study (TPE, random, grid; median, ASHA, Hyperband pruning), every trial a run", "FILE.yaml", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count == 0) throw new UsageException(Usage);
        if (parsed.Positional.Count > 1) throw new UsageException($"One tuning file at a time; got '{parsed.Positional[0]}' and '{parsed.Positional[1]}'.");
        var inv = CultureInfo.InvariantCulture;
        int? trials = parsed.Value("trials") is { } t ? Whole(t, "--trials", 1, TuneSpec.MaxTrials) : null;
        double? timeout = parsed.Value("timeout") is { } to ? Positive(to, "--timeout", 365 * 24 * 3600.0) : null;
        double scale = parsed.Value("scale") is { } s ? Positive(s, "--scale", 1) : 1;
        double heartbeat = parsed.Value("heartbeat") is { } h ? Positive(h, "--heartbeat", 3600) : 30;
        var where = new TrainOptions();
        parsed.ApplyTo(where);
        where.Validate();
        string? export = parsed.Value("export");
        if (export is not null) CheckExportPath(export);
        string file = UserPaths.File(parsed.Positional[0], "tune", "tuning file");

        var spec = TuneSpec.Load(file);
        string studyName = parsed.Value("study") ?? spec.Name;
        if (parsed.Value("study") is { } named) CheckStudyName(named);
        var sampler = TuneComponents.Sampler(spec, file);
        var pruner = TuneComponents.Pruner(spec, file);
        trials ??= spec.Trials;
        if (trials is null && timeout is null && spec.Sampler.Name != "grid")
            throw new UsageException($"Say how long to tune: --trials N, --timeout SECONDS, or `trials: N` in {file}.");
        if (TuneComponents.GridSize(spec) is { } points)
        {
            if (trials > points) Console.WriteLine($"note: the grid has {points} points; the study stops after them although --trials is {trials}.");
            trials = Math.Min(trials ?? int.MaxValue, points);
        }

        using var storage = TuneStorage.Open(parsed.Value("storage"), where.Output, readOnly: false);
        if (storage.FindStudy(studyName) is { } existing && existing.Definition is { } stored && spec.Differences(stored) is { Count: > 0 } changed)
            throw new InvalidDataException($"Study '{studyName}' in {storage.Describe} was started with another file ({string.Join("; ", changed)}): "
                + "give this one another --study name, or restore the file.");
        var study = Study.CreateOrLoad(studyName, storage, spec.Objective.Direction, sampler, pruner, spec.Definition());
        study.HeartbeatInterval = TimeSpan.FromSeconds(heartbeat);
        var before = study.Trials;
        int finishedBefore = before.Count(x => x.State.IsFinished());
        string budget = trials is { } n ? $"{n} trials ({finishedBefore} finished)" : $"{finishedBefore} finished trials";
        Console.WriteLine($"Study {studyName}: {budget}{(timeout is { } tt ? string.Create(inv, $", timeout {tt:G4} s") : "")}; "
            + $"{spec.Objective.Metric} to {spec.Objective.Direction.ToString().ToLowerInvariant()}; sampler {spec.Sampler.Name}, pruner {spec.Pruner.Name}; "
            + $"storage {storage.Describe}{(scale < 1 ? string.Create(inv, $", scale {scale:G3}") : "")}.");
        if (trials is { } total && finishedBefore >= total && !before.Any(x => x.State is TrialState.Running or TrialState.Waiting))
        {
            Console.WriteLine($"The study has its {total} trials already; pass a larger --trials to add more.");
            return Finish(study, spec, export);
        }

        var (train, test) = DataCommand.LoadFull(where.Data);
        if (where.Threads > 0) Kernels.Workers.ThreadCount = where.Threads;
        using var signals = new StopSignals();
        var printer = new TrialPrinter(study, trials);
        var objective = new TrainingObjective(spec, train, test, where.Output, scale, printer.ObserverFor, signals.Token);
        try
        {
            printer.Run(() => study.Optimize(objective.Evaluate, trials, timeout is { } sec ? TimeSpan.FromSeconds(sec) : null, signals.Token, printer.Finished, printer.Started));
        }
        catch (OperationCanceledException) when (signals.Received is not null)
        {
            Terminal.Error($"Interrupted: finished trials are saved; the trial in progress failed and is queued again; run `atelier tune {file}` again to continue.");
            return signals.ExitCode;
        }
        return Finish(study, spec, export);
    }

    private static int Finish(Study study, TuneSpec spec, string? export)
    {
        var all = study.Trials;
        var counts = string.Join(", ", all.GroupBy(x => x.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.Name()}"));
        Console.WriteLine($"Trials: {counts}.");
        if (study.BestTrial is not { } best)
        {
            Terminal.Error($"No trial of study {study.Name} completed, so there is no best trial (`atelier trials {study.Name}` shows why).");
            return CommandLine.Failure;
        }
        Console.WriteLine($"Best: trial {best.Number}, {spec.Objective.Metric} {TrialPrinter.Value(best.Value)}, {TrialPrinter.Params(best)}.");
        if (best.Attributes.TryGetValue("folder", out var folder)) Console.WriteLine($"Its run: {folder}");
        if (export is not null)
        {
            var options = spec.OptionsFor(best.Params.Keys.ToDictionary(k => k, k => best.Param(k)!), 1, best.Number);
            var lines = TrainOptionTable.ToPairs(options)
                .Where(p => p.Key is not ("output" or "data" or "threads" or "name" or "experiment") && p.Value.Length > 0)
                .Select(p => $"{p.Key}: {p.Value}");
            string text = $"# The best trial ({best.Number}) of study {study.Name}: {spec.Objective.Metric} {TrialPrinter.Value(best.Value)}.\n# atelier train --config {Path.GetFileName(export)}\n"
                + string.Join("\n", lines) + "\n";
            RunFolder.WriteAtomically(Path.GetFullPath(export), text);
            Console.WriteLine($"Exported: {Path.GetFullPath(export)} (`atelier train --config {export}`)");
        }
        return 0;
    }

    private static void CheckExportPath(string export)
    {
        if (Directory.Exists(export)) throw new UsageException($"--export names a file to write, but '{export}' is a folder.");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(export));
        if (dir is not null && !Directory.Exists(dir)) throw new UsageException($"--export: the folder {dir} does not exist.");
    }

    private static void CheckStudyName(string name)
    {
        if (name.Length == 0 || name.Length > 100 || name.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']) >= 0 || name is "." or ".." || name.Any(char.IsControl))
            throw new UsageException($"--study is a name of 1 to 100 characters without / \\ : * ? \" < > |, got '{name}'.");
    }

    internal static int Whole(string text, string option, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? v
            : throw new UsageException($"{option} must be a whole number from {min:N0} to {max:N0}, got '{text}'.");

    private static double Positive(string text, string option, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && v <= max ? v
            : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be a number above 0 and at most {max:G}, got '{text}'."));
}
