using System.Globalization;
using System.Text.Json;
using Atelier.Tuning;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier trials STUDY [--output DIR | --storage URL] [--json]`: a study's trials from any machine that reaches its
/// storage: number, state, value, parameters, worker, start and end. Read-only.
/// </summary>
public static class TrialsCommand
{
    private const string Usage = "Usage: atelier trials STUDY [--output runs | --storage URL] [--json].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("storage", "URL", "where the study lives (default: OUTPUT/tuning.db)"),
        CliOption.Training("output", "the runs folder whose tuning.db holds the study"),
        CliOption.Flag("json", "an array of objects, one per trial, instead of the table"),
    ];

    public static CliCommand Definition { get; } = new("trials", "a study's trials: state, value, parameters, worker, times", "STUDY", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count != 1) throw new UsageException(parsed.Positional.Count == 0 ? Usage : $"One study at a time; got '{parsed.Positional[0]}' and '{parsed.Positional[1]}'.");
        if (parsed.Has("storage") && parsed.Has("output")) throw new UsageException("--storage and --output both say where the study is; give one.");
        string name = parsed.Positional[0];
        string output = parsed.Value("output") ?? "runs";
        string? url = parsed.Value("storage");
        if (url is null && !File.Exists(Path.Combine(output, TuneStorage.DefaultFile)))
            throw new FileNotFoundException($"There are no studies in {Path.GetFullPath(output)} (no {TuneStorage.DefaultFile}): `atelier tune FILE` makes one, or pass --storage.");
        using var storage = TuneStorage.Open(url, output, readOnly: true);
        var study = storage.FindStudy(name) ?? throw new InvalidDataException(NoStudy(name, storage));
        var trials = storage.Trials(study.Id);
        if (parsed.Flag("json", false)) Console.WriteLine(JsonSerializer.Serialize(trials.Select(Row), new JsonSerializerOptions { WriteIndented = true }));
        else if (trials.Count == 0) Console.WriteLine($"Study {name} has no trials yet.");
        else PrintTable(study, trials);
        return 0;
    }

    internal static string NoStudy(string name, IStudyStorage storage)
    {
        var names = storage.Studies().Select(s => s.Name).ToList();
        return names.Count == 0 ? $"There is no study '{name}' in {storage.Describe}: it has no studies yet."
            : $"There is no study '{name}' in {storage.Describe}{Atelier.Training.Spelling.Suggest(name, names)}; its studies: {string.Join(", ", names.Take(20))}.";
    }

    private static Dictionary<string, object?> Row(FrozenTrial t) => new()
    {
        ["number"] = t.Number,
        ["state"] = t.State.Name(),
        ["value"] = t.Value is { } v && double.IsFinite(v) ? v : null,
        ["params"] = t.Params.Keys.Order(StringComparer.Ordinal).ToDictionary(k => k, k => t.Param(k)),
        ["worker"] = t.Worker,
        ["started"] = t.Started,
        ["completed"] = t.Completed,
        ["heartbeat"] = t.Heartbeat,
        ["intermediate_values"] = t.IntermediateValues.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
        ["attributes"] = t.Attributes,
    };

    private static void PrintTable(StudyRecord study, IReadOnlyList<FrozenTrial> trials)
    {
        var inv = CultureInfo.InvariantCulture;
        var best = Study.Best(trials, study.Direction);
        var table = new Table().Border(TableBorder.Rounded).Title($"study {Markup.Escape(study.Name)} ({study.Direction.ToString().ToLowerInvariant()})")
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("state").AddColumn(new TableColumn("value").RightAligned()).AddColumn("parameters")
            .AddColumn("worker").AddColumn("started").AddColumn("ended").AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var t in trials)
        {
            string state = t.State switch
            {
                TrialState.Complete => "[green]complete[/]",
                TrialState.Running => "[blue]running[/]",
                TrialState.Fail => "[red]fail[/]",
                TrialState.Pruned => "[yellow]pruned[/]",
                _ => "waiting",
            };
            string value = TrialPrinter.Value(t.Value);
            if (best is not null && t.Id == best.Id) value = $"[bold green]{value}[/]";
            table.AddRow(t.Number.ToString(inv), state, value, Markup.Escape(TrialPrinter.Params(t)), Markup.Escape(t.Worker ?? ""),
                Stamp(t.Started), Stamp(t.Completed), t.Seconds is { } s ? s.ToString("F1", inv) : "");
        }
        AnsiConsole.Write(table);
        if (best is not null) Console.WriteLine($"Best: trial {best.Number}, value {TrialPrinter.Value(best.Value)}, {TrialPrinter.Params(best)}.");
    }

    private static string Stamp(DateTime? time) => time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "";
}
