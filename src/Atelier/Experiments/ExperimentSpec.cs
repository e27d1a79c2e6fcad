using Atelier.Training;

namespace Atelier.Experiments;

/// <summary>One run of an experiment: a label and the options that differ from the base.</summary>
public sealed record ExperimentRun(string Label, IReadOnlyList<KeyValuePair<string, string>> Overrides);

/// <summary>
/// A study as a YAML file: a name, a base configuration, and a list of runs and/or a grid over any options
/// (every combination becomes a run). Option names are those of `atelier train`.
/// </summary>
/// <example>
/// name: optimizers
/// base: { model: mlp, epochs: 30 }
/// grid:
///   optimizer: [adam, rmsprop, sgd, adagrad]
/// </example>
public sealed record ExperimentSpec(string Name, string Description, IReadOnlyList<KeyValuePair<string, string>> Base, IReadOnlyList<ExperimentRun> Runs)
{
    /// <summary>The keys an experiment file may have at its top level.</summary>
    public static readonly string[] Keys = ["name", "description", "base", "runs", "grid"];

    // A tuning study's keys (docs/spec.md, `atelier tune`): someone who hands one to `atelier experiment` needs to hear so.
    private static readonly string[] TuningKeys = ["objective", "space", "sampler", "pruner", "trials"];

    /// <summary>More runs than any study trains; a grid this large is a mistake, and its combinations would fill memory.</summary>
    public const int MaxRuns = 10_000;

    public static ExperimentSpec Load(string path) => Parse(YamlText.ReadFile(path, "experiment file"), path);

    public static ExperimentSpec Parse(string yaml, string path)
    {
        var root = YamlText.Load(yaml, path);
        if (root.Kind != YamlValueKind.Mapping)
            throw YamlText.Error(path, root.Line, $"an experiment file is a mapping with 'name', 'base' and 'runs' or 'grid', not {root.Describe()}.");
        foreach (var entry in root.Entries.Where(e => !Keys.Contains(e.Key)))
            throw YamlText.Error(path, entry.Line, TuningKeys.Contains(entry.Key)
                ? $"'{entry.Key}' belongs to a tuning study (`atelier tune`); an experiment file has {string.Join(", ", Keys)}."
                : $"unknown key '{YamlValue.Shorten(entry.Key)}'{Spelling.Suggest(entry.Key, Keys)}; an experiment file has {string.Join(", ", Keys)}.");

        string name = Text(root, "name", path) ?? Path.GetFileNameWithoutExtension(path);
        ExperimentLabels.CheckName(name, root.Find("name")?.Line, path);
        string description = Text(root, "description", path) ?? "";
        var basePairs = root.Find("base") is { } b ? YamlOptions.Options(Section(b, YamlValueKind.Mapping, path, "a mapping of options"), path) : [];

        var runs = new List<PlannedRun>();
        if (root.Find("runs") is { } r)
        {
            var items = Section(r, YamlValueKind.Sequence, path, "a list of runs (`- { label: a, lr: 0.1 }`)").Items;
            if (items.Count > MaxRuns)
                throw YamlText.Error(path, r.Line, $"'runs' lists {items.Count:N0} runs, more than the {MaxRuns:N0} an experiment may have; split it into several files.");
            foreach (var item in items) runs.Add(ReadRun(item, path));
        }
        if (root.Find("grid") is { } g) runs = ExperimentGrid.Expand(Section(g, YamlValueKind.Mapping, path, "a mapping of options to lists of values"), g.Line, runs, path);
        if (runs.Count == 0) throw new InvalidDataException($"{path} defines no runs: add a 'runs' list or a 'grid'.");
        ExperimentLabels.CheckUnique(runs, path);

        var spec = new ExperimentSpec(name, description, Pairs(basePairs), runs.Select(p => p.Run).ToList());
        foreach (var run in runs)
        {
            try
            {
                spec.OptionsFor(run.Run, 1).Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(YamlText.OneLine($"{path}, run '{YamlValue.Shorten(run.Run.Label)}' ({run.Origin}): {e.Message}"));
            }
        }
        return spec;
    }

    /// <summary>The full options of a run; <paramref name="scale"/> &lt; 1 shortens it (fewer epochs and training images) for demos and tests.</summary>
    public TrainOptions OptionsFor(ExperimentRun run, double scale)
    {
        var options = new TrainOptions();
        foreach (var (key, value) in Base.Concat(run.Overrides)) TrainOptionTable.Set(options, key, value);
        ScaledOptions.Apply(options, scale);
        options.Experiment = Name;
        options.Name = $"{Name}-{run.Label}";
        return options;
    }

    /// <summary>A label made of the options: "optimizer=adam-lr=0.01".</summary>
    internal static string Label(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join("-", pairs.Select(p => $"{p.Key}={p.Value}")).Replace(' ', '_');

    internal static List<KeyValuePair<string, string>> Pairs(IEnumerable<YamlOption> options) =>
        options.Select(o => new KeyValuePair<string, string>(o.Key, o.Value)).ToList();

    private static PlannedRun ReadRun(YamlValue item, string path)
    {
        if (item.Kind != YamlValueKind.Mapping)
            throw YamlText.Error(path, item.Line, $"each entry of 'runs' must be a mapping of options (`- {{ label: a, lr: 0.1 }}`), not {item.Describe()}.");
        var pairs = Pairs(YamlOptions.Options(item, path, skip: "label"));
        string? label = null;
        if (item.Find("label") is { } l)
            label = l.Value.Kind == YamlValueKind.Scalar && l.Value.Text is { } text
                ? text
                : throw YamlText.Error(path, l.Value.Line, $"a run's 'label' must be a single name, not {l.Value.Describe()}.");
        return new PlannedRun(new ExperimentRun(label ?? Label(pairs), pairs), $"line {item.Line}", item.Line);
    }

    private static YamlValue Section(YamlEntry entry, YamlValueKind kind, string path, string shape)
    {
        if (entry.Value.Kind != kind || (kind == YamlValueKind.Mapping ? entry.Value.Entries.Count : entry.Value.Items.Count) == 0)
            throw YamlText.Error(path, entry.Line, $"'{entry.Key}' must be {shape}, not {(entry.Value.Kind == kind ? "an empty one" : entry.Value.Describe())}.");
        return entry.Value;
    }

    private static string? Text(YamlValue root, string key, string path) => root.Find(key) is not { } entry ? null
        : entry.Value.Kind == YamlValueKind.Scalar && entry.Value.Text is { } text ? text
        : throw YamlText.Error(path, entry.Value.Line, $"'{key}' must be a single line of text, not {entry.Value.Describe()}.");
}

/// <summary>A run on its way into a spec, with where it came from for messages: "line 12", "the grid on line 20".</summary>
internal sealed record PlannedRun(ExperimentRun Run, string Origin, long Line);
