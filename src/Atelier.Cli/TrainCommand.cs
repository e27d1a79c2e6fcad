using Atelier.Training;

namespace Atelier.Cli;

/// <summary>`atelier train`: options → data → a TrainingRun with live progress → the test-set tables.</summary>
public static class TrainCommand
{
    /// <summary>What `--resume` may change about a run: where it runs, not what it computes.</summary>
    private static readonly HashSet<string> SafeOnResume = ["threads", "data", "output"];

    public static IReadOnlyList<CliOption> Options { get; } =
    [
        .. TrainOptionTable.All.Select(o => CliOption.Training(o.Name)),
        CliOption.Value("config", "FILE.yaml", "read options from a YAML file (command-line options win)"),
        CliOption.Value("resume", "RUN", "continue an interrupted run (its folder or id); only --threads, --data and --output may be given beside it"),
    ];

    public static CliCommand Definition { get; } = new("train", $"train a model (default: {new TrainOptions().Model}, {new TrainOptions().Epochs} epochs; --config FILE.yaml, --resume RUN)", "", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count > 0) throw new UsageException($"Unexpected argument '{parsed.Positional[0]}': options are written --name value (`atelier train --help`).");

        if (parsed.Has("resume") && parsed.Has("config"))
            throw new UsageException("--resume continues a run with the settings it started with; --config cannot be given beside it.");
        var options = new TrainOptions();
        // A config file is read first so that command-line options override it.
        if (parsed.Value("config") is { } config) OptionParser.ApplyYaml(UserPaths.File(config, "--config", "configuration file"), options);
        parsed.ApplyTo(options);

        RunFolder? resumeFolder = null;
        if (parsed.Value("resume") is { } resume)
        {
            resumeFolder = RunLocator.Folder(resume, options.Output, "--resume");
            options = ResumedOptions(resumeFolder, parsed);
            // Every file the resume will read, read now: a damaged run folder is said before minutes of data loading.
            TrainingRun.CheckResumable(resumeFolder);
        }
        options.Validate();

        using var signals = new StopSignals();
        try
        {
            var data = DataCommand.Load(options);
            string validation = data.Validation.Count > 0 ? $"validating on {data.Validation.Count:N0}" : "no validation split (the lowest training loss picks the best epoch)";
            Console.WriteLine($"Training {options.Model} on {data.Train.Count:N0} images, {validation}, testing on {data.Test.Count:N0}.");
            signals.Token.ThrowIfCancellationRequested();
            var result = Progress.Run(options.Epochs, observer =>
            {
                var run = new TrainingRun(options, observer);
                return resumeFolder is null ? run.Run(data, signals.Token) : run.Resume(data, resumeFolder, signals.Token);
            });
            ResultTables.Print(result);
            return 0;
        }
        catch (OperationCanceledException e) when (signals.Received is not null)
        {
            Terminal.Error(e is RunInterruptedException ? e.Message : "Interrupted before training started: no run was created.");
            return signals.ExitCode;
        }
    }

    /// <summary>
    /// The run's own options, with the few that only say where it runs taken from the command line. Any other
    /// option given with --resume would silently change the run: it is refused unless it equals the saved value.
    /// </summary>
    private static TrainOptions ResumedOptions(RunFolder folder, ParsedArguments parsed)
    {
        var saved = folder.ReadOptions();
        var asked = saved.Clone();
        parsed.ApplyTo(asked);
        var savedPairs = TrainOptionTable.ToPairs(saved).ToDictionary(p => p.Key, p => p.Value);
        foreach (var (key, value) in TrainOptionTable.ToPairs(asked))
            if (!SafeOnResume.Contains(key) && savedPairs[key] != value)
                throw new UsageException($"--resume continues run {folder.Id} with the settings it started with, but --{key} {value} would change them (it has {Shown(savedPairs[key])}): leave --{key} out, or start a new run.");
        saved.Threads = asked.Threads;
        saved.Data = asked.Data;
        return saved;
    }

    private static string Shown(string value) => value.Length == 0 ? "none" : value;
}
