using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>`atelier train`: options → data → a TrainingRun with live progress → the test-set tables.</summary>
public static class TrainCommand
{
    public static int Run(string[] args)
    {
        var options = new TrainOptions();
        var extras = new Dictionary<string, string?> { ["resume"] = null, ["config"] = null, ["help"] = null };
        // A config file is read first so that command-line options override it.
        int configAt = Array.FindIndex(args, a => a == "--config" || a.StartsWith("--config=", StringComparison.Ordinal));
        if (configAt >= 0)
        {
            string path = args[configAt].Contains('=') ? args[configAt][9..] : configAt + 1 < args.Length ? args[configAt + 1] : throw new UsageException("--config needs a file.");
            OptionParser.ApplyYaml(path, options);
        }
        var positional = OptionParser.Apply(args, options, extras);
        if (extras["help"] is not null)
        {
            PrintOptions();
            return 0;
        }
        if (positional.Count > 0) throw new UsageException($"Unexpected argument '{positional[0]}': options are written --name value.");

        RunFolder? resumeFolder = null;
        if (extras["resume"] is { } resume)
        {
            resumeFolder = RunLocator.Folder(resume, options.Output);
            var saved = resumeFolder.ReadOptions();
            if (options.Threads > 0) saved.Threads = options.Threads;
            options = saved;
        }
        options.Validate();

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var data = DataCommand.Load(options);
            string validation = data.Validation.Count > 0 ? $"validating on {data.Validation.Count:N0}" : "no validation split (the lowest training loss picks the best epoch)";
            Console.WriteLine($"Training {options.Model} on {data.Train.Count:N0} images, {validation}, testing on {data.Test.Count:N0}.");
            var result = Progress.Run(options.Epochs, observer =>
            {
                var run = new TrainingRun(options, observer);
                return resumeFolder is null ? run.Run(data, cancel.Token) : run.Resume(data, resumeFolder, cancel.Token);
            });
            ResultTables.Print(result);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintOptions()
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("option").AddColumn("default").AddColumn("meaning");
        var defaults = new TrainOptions();
        foreach (var o in TrainOptionTable.All)
            table.AddRow(Markup.Escape("--" + o.Name), Markup.Escape(o.Get(defaults) ?? ""), Markup.Escape(o.Help));
        table.AddRow("--config FILE", "", "read options from a YAML file (command-line options win)");
        table.AddRow("--resume RUN", "", "continue an interrupted run (its folder or id)");
        AnsiConsole.Write(table);
    }
}
