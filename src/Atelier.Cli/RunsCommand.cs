using System.Globalization;
using System.Text.Json;
using Atelier.Experiments;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier runs [--output DIR] [--experiment NAME] [--status S] [--json]`: the run store, newest first, with runs
/// whose process died shown as interrupted. Reads the store without changing it, while other runs write it.
/// </summary>
public static class RunsCommand
{
    private const string Usage = "Usage: atelier runs [--output runs] [--experiment NAME] [--status running|finished|interrupted|failed|pruned] [--json].";

    public static readonly string[] Statuses = ["running", "finished", "interrupted", "failed", "pruned"];

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Training("output", "the runs folder whose store (OUTPUT/atelier.db) is listed"),
        CliOption.Value("experiment", "NAME", "only the runs of this experiment"),
        CliOption.Value("status", "STATUS", "only runs in this state: running, finished, interrupted, failed or pruned"),
        CliOption.Flag("json", "print the runs as a JSON array"),
    ];

    public static CliCommand Definition { get; } = new("runs", "the run store, newest first, dead runs shown as interrupted", "", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count > 0) throw new UsageException($"`atelier runs` takes no argument, got '{parsed.Positional[0]}'. {Usage}");
        string output = parsed.Value("output") ?? "runs";
        if (output.Trim().Length == 0) throw new UsageException("--output needs a folder, got an empty value.");
        string? status = parsed.Value("status")?.ToLowerInvariant();
        if (status is not null && !Statuses.Contains(status))
            throw new UsageException($"--status is one of {string.Join(", ", Statuses)}, got '{status}'.");
        string? experiment = parsed.Value("experiment");
        bool json = parsed.Flag("json", false);

        string storePath = Path.Combine(output, "atelier.db");
        List<RunRecord> runs;
        if (!File.Exists(storePath))
        {
            // A folder nobody trained into yet is an empty list, not an error; a mistyped --output is.
            if (parsed.Has("output") && !Directory.Exists(output)) throw new DirectoryNotFoundException($"--output: the runs folder '{output}' does not exist.");
            runs = [];
        }
        else
        {
            using var store = new RunStore(storePath, readOnly: true);
            runs = store.Runs(experiment);
        }
        if (status is not null) runs = runs.Where(r => r.Status == status).ToList();

        if (json) Console.WriteLine(JsonSerializer.Serialize(runs.Select(Row), new JsonSerializerOptions { WriteIndented = true }));
        else if (runs.Count == 0) Console.WriteLine($"No runs in {Path.GetFullPath(output)}{(status is null && experiment is null ? "" : " match")}.");
        else PrintTable(runs);
        return 0;
    }

    /// <summary>A run as the JSON output names it: the fields of the table, in snake_case.</summary>
    private static Dictionary<string, object?> Row(RunRecord r) => new()
    {
        ["id"] = r.Id, ["status"] = r.Status, ["model"] = r.Model, ["experiment"] = r.Experiment,
        ["epochs"] = r.Epochs, ["best_epoch"] = r.BestEpoch, ["test_accuracy"] = r.TestAccuracy is double a && double.IsFinite(a) ? a : null,
        ["started"] = r.Started, ["ended"] = r.Ended, ["folder"] = r.Folder, ["host"] = r.Host, ["pid"] = r.ProcessId, ["message"] = r.Message,
    };

    private static void PrintTable(List<RunRecord> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("id").AddColumn("status").AddColumn("model").AddColumn("experiment")
            .AddColumn(new TableColumn("epochs").RightAligned()).AddColumn(new TableColumn("best").RightAligned())
            .AddColumn(new TableColumn("test acc").RightAligned()).AddColumn("started").AddColumn("folder");
        foreach (var r in runs)
        {
            string status = r.Status switch
            {
                "finished" => "[green]finished[/]",
                "running" => "[blue]running[/]",
                "failed" => "[red]failed[/]",
                _ => "[yellow]" + Markup.Escape(r.Status) + "[/]",
            };
            table.AddRow(Markup.Escape(r.Id), status, Markup.Escape(r.Model), Markup.Escape(r.Experiment ?? ""),
                r.Epochs.ToString(inv), r.BestEpoch?.ToString(inv) ?? "", r.TestAccuracy is double a && double.IsFinite(a) ? (100 * a).ToString("F2", inv) + "%" : "",
                r.Started.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", inv), Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, r.Folder)));
        }
        AnsiConsole.Write(table);
    }
}
