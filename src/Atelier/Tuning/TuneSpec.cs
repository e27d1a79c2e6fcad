using System.Globalization;
using System.Text.Json;
using Atelier.Training;

namespace Atelier.Tuning;

/// <summary>
/// A tuning study as a YAML file (docs/spec.md, `atelier tune`): a name, base training options, an objective, a search
/// space over training options, a sampler, a pruner and a number of trials. Every check happens here, before anything
/// is written, with the line of the mistake.
/// </summary>
/// <example>
/// name: 003-learning-rate
/// base: { model: dense32, optimizer: sgd, epochs: 5 }
/// objective: { metric: val-accuracy, direction: maximize }
/// space:
///   lr: { float: [1.0e-4, 1.0], log: true }
/// sampler: { name: tpe, seed: 42 }
/// pruner: { name: median }
/// trials: 20
/// </example>
public sealed record TuneSpec(string Name, string Description, IReadOnlyList<KeyValuePair<string, string>> Base, TuneObjective Objective,
    IReadOnlyList<TuneParameter> Space, TuneComponent Sampler, TuneComponent Pruner, int? Trials)
{
    public static readonly string[] Keys = ["name", "description", "base", "objective", "space", "sampler", "pruner", "trials"];
    public static readonly string[] SamplerNames = ["tpe", "random", "grid"];
    public static readonly string[] PrunerNames = ["median", "successive-halving", "hyperband", "none"];
    private static readonly string[] DistributionKeys = ["float", "int", "categorical"];
    private static readonly string[] EntryKeys = ["float", "int", "categorical", "log", "step", "when"];

    public const int MaxTrials = 100_000;

    public static TuneSpec Load(string path) => Parse(YamlText.ReadFile(path, "tuning file"), path);

    public static TuneSpec Parse(string yaml, string path)
    {
        var root = YamlText.Load(yaml, path);
        if (root.Kind != YamlValueKind.Mapping)
            throw YamlText.Error(path, root.Line, $"a tuning file is a mapping with 'name', 'base', 'objective' and 'space', not {root.Describe()}.");
        foreach (var entry in root.Entries.Where(e => !Keys.Contains(e.Key)))
            throw YamlText.Error(path, entry.Line, entry.Key is "grid" or "runs"
                ? $"'{entry.Key}' belongs to an experiment file (`atelier experiment`); a tuning file has {string.Join(", ", Keys)}."
                : $"unknown key '{YamlValue.Shorten(entry.Key)}'{Spelling.Suggest(entry.Key, Keys)}; a tuning file has {string.Join(", ", Keys)}.");

        string name = Scalar(root, "name", path) ?? Path.GetFileNameWithoutExtension(path);
        Experiments.ExperimentLabels.CheckName(name, root.Find("name")?.Line, path);
        string description = Scalar(root, "description", path) ?? "";
        var basePairs = root.Find("base") is { } b
            ? YamlOptions.Options(Mapping(b, path, "a mapping of training options"), path).Select(o => new KeyValuePair<string, string>(o.Key, o.Value)).ToList()
            : [];
        var objective = ReadObjective(root.Find("objective"), path);
        var space = root.Find("space") is { } s ? ReadSpace(Mapping(s, path, "a mapping of training options to ranges (`lr: { float: [1.0e-4, 1.0], log: true }`)"), basePairs, path)
            : throw new InvalidDataException($"{path} has no 'space': say which options to tune, e.g. `space: {{ lr: {{ float: [1.0e-4, 1.0], log: true }} }}`.");
        var sampler = ReadComponent(root.Find("sampler"), "sampler", SamplerNames, "tpe", path);
        var pruner = ReadComponent(root.Find("pruner"), "pruner", PrunerNames, "none", path);
        int? trials = root.Find("trials") is { } t ? Count(t, path) : null;
        var spec = new TuneSpec(name, description, basePairs, objective, space, sampler, pruner, trials);
        spec.CheckRanges(path);
        if (spec.Objective.Metric.StartsWith("val-", StringComparison.Ordinal) && spec.OptionsFor(new Dictionary<string, string>(), 1, 0).ValSize == 0)
            throw YamlText.Error(path, root.Find("objective")?.Line ?? root.Line, $"the objective is {spec.Objective.Metric}, but 'base' sets val-size 0: there is no validation split to measure it on (use test-accuracy, or a val-size).");
        return spec;
    }

    /// <summary>
    /// The study's definition as stored with it: objective, base options and space. A worker that joins with another
    /// file is refused by <see cref="Differences"/>; the sampler, pruner and trial count may change between sessions.
    /// </summary>
    public string Definition() => JsonSerializer.Serialize(new StoredDefinition(
        $"{Objective.Metric} {Objective.Direction.ToString().ToLowerInvariant()}",
        Base.ToDictionary(p => TrainOptionTable.Find(p.Key)!.Name, p => p.Value),
        Space.ToDictionary(p => p.Name, p => p.Distribution.ToJson() + (p.When.Count > 0 ? " when " + p.DescribeWhen() : ""))));

    /// <summary>What differs between a stored definition and this file's: "objective val-loss minimize → val-accuracy maximize", "space lr: … → …".</summary>
    public List<string> Differences(string storedDefinition)
    {
        StoredDefinition? old;
        try
        {
            old = JsonSerializer.Deserialize<StoredDefinition>(storedDefinition);
        }
        catch (JsonException)
        {
            old = null;
        }
        if (old is null) return ["the stored definition is not one `atelier tune` wrote"];
        var now = JsonSerializer.Deserialize<StoredDefinition>(Definition())!;
        var changes = new List<string>();
        if (old.Objective != now.Objective) changes.Add($"objective {old.Objective} → {now.Objective}");
        foreach (var key in old.Base.Keys.Union(now.Base.Keys).Order(StringComparer.Ordinal))
            if (old.Base.GetValueOrDefault(key) != now.Base.GetValueOrDefault(key))
                changes.Add($"base {key} {old.Base.GetValueOrDefault(key) ?? "unset"} → {now.Base.GetValueOrDefault(key) ?? "unset"}");
        foreach (var key in old.Space.Keys.Union(now.Space.Keys).Order(StringComparer.Ordinal))
            if (old.Space.GetValueOrDefault(key) != now.Space.GetValueOrDefault(key))
                changes.Add($"space {key} {old.Space.GetValueOrDefault(key) ?? "absent"} → {now.Space.GetValueOrDefault(key) ?? "absent"}");
        return changes;
    }

    private sealed record StoredDefinition(string Objective, Dictionary<string, string> Base, Dictionary<string, string> Space);

    /// <summary>
    /// Samples the space for <paramref name="trial"/> in file order, each conditional entry only when its condition holds
    /// for the options chosen so far; returns the trial's parameters as option values.
    /// </summary>
    public Dictionary<string, string> Suggest(Trial trial)
    {
        var chosen = BaseOptions();
        var parameters = new Dictionary<string, string>();
        foreach (var p in Space)
        {
            if (!p.Applies(chosen)) continue;
            string value = p.Distribution.Format(trial.Suggest(p.Name, p.Distribution));
            chosen[p.Name] = value;
            parameters[p.Name] = value;
        }
        return parameters;
    }

    /// <summary>The options of a trial with these parameters; <paramref name="scale"/> &lt; 1 shortens it as experiments do.</summary>
    public TrainOptions OptionsFor(IReadOnlyDictionary<string, string> parameters, double scale, int trialNumber)
    {
        var options = new TrainOptions();
        foreach (var (key, value) in Base) TrainOptionTable.Set(options, key, value);
        foreach (var (key, value) in parameters) TrainOptionTable.Set(options, key, value);
        ScaledOptions.Apply(options, scale);
        options.Experiment = Name;
        options.Name = TrialLabel(trialNumber);
        return options;
    }

    /// <summary>The folder name of a trial's run: trial-0007.</summary>
    public static string TrialLabel(int number) => string.Create(CultureInfo.InvariantCulture, $"trial-{number:D4}");

    /// <summary>The base options by their canonical names, as conditions see them.</summary>
    private Dictionary<string, string> BaseOptions()
    {
        var defaults = TrainOptionTable.ToPairs(new TrainOptions()).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Base) defaults[TrainOptionTable.Find(key)!.Name] = value;
        return defaults;
    }

    /// <summary>Every end of every range, with the base, must be options `atelier train` accepts: an lr of 0 is refused here, not in trial 7.</summary>
    private void CheckRanges(string path)
    {
        foreach (var p in Space)
            foreach (var value in Corners(p.Distribution))
            {
                var options = new TrainOptions();
                try
                {
                    foreach (var (key, v) in Base) TrainOptionTable.Set(options, key, v);
                    TrainOptionTable.Set(options, p.Name, value);
                    options.Validate();
                }
                catch (ArgumentException e)
                {
                    throw YamlText.Error(path, p.Line, $"'{p.Name}' can take {value}, which training refuses: {e.Message}");
                }
            }
    }

    private static IEnumerable<string> Corners(Distribution d) => d switch
    {
        FloatDistribution f => [f.Format(f.Low), f.Format(f.High), f.Step is null && !f.IsSingle ? f.Format(f.Low + 0.37 * (f.High - f.Low)) : f.Format(f.Low)],
        IntDistribution i => [i.Format(i.Low), i.Format(i.High)],
        CategoricalDistribution c => c.Choices,
        _ => [],
    };

    private static TuneObjective ReadObjective(YamlEntry? entry, string path)
    {
        if (entry is null) return new TuneObjective("val-accuracy", StudyDirection.Maximize);
        var map = Mapping(entry, path, "a mapping like `{ metric: val-accuracy, direction: maximize }`");
        foreach (var e in map.Entries.Where(e => e.Key is not ("metric" or "direction")))
            throw YamlText.Error(path, e.Line, $"unknown key '{YamlValue.Shorten(e.Key)}' in 'objective'{Spelling.Suggest(e.Key, ["metric", "direction"])}; it has 'metric' and 'direction'.");
        string metric = Scalar(map, "metric", path) ?? "val-accuracy";
        if (!TuneObjective.Metrics.Contains(metric))
            throw YamlText.Error(path, map.Find("metric")!.Line, $"unknown metric '{YamlValue.Shorten(metric)}'{Spelling.Suggest(metric, TuneObjective.Metrics)}; the metrics are {string.Join(", ", TuneObjective.Metrics)}.");
        bool loss = metric.EndsWith("-loss", StringComparison.Ordinal);
        string natural = loss ? "minimize" : "maximize";
        string direction = Scalar(map, "direction", path) ?? natural;
        if (direction is not ("maximize" or "minimize"))
            throw YamlText.Error(path, map.Find("direction")!.Line, $"'direction' is maximize or minimize, not '{YamlValue.Shorten(direction)}'.");
        if (direction != natural)
            throw YamlText.Error(path, map.Find("direction")!.Line, $"{metric} is to {natural}, not to {direction}: a study that {direction}s it would look for the worst settings.");
        return new TuneObjective(metric, direction == "maximize" ? StudyDirection.Maximize : StudyDirection.Minimize);
    }

    private static List<TuneParameter> ReadSpace(YamlValue map, List<KeyValuePair<string, string>> basePairs, string path)
    {
        var space = new List<TuneParameter>();
        foreach (var entry in map.Entries)
        {
            var option = YamlOptions.Option(entry.Key, entry.Line, path);
            if (option.Name is "output" or "data" or "threads" or "experiment" or "name" or "resume" or "config")
                throw YamlText.Error(path, entry.Line, $"'{option.Name}' says where or how a run happens, not how it learns: it cannot be tuned.");
            if (space.Any(p => p.Name == option.Name))
                throw YamlText.Error(path, entry.Line, $"'{entry.Key}' is in the space twice; keep one.");
            if (basePairs.Any(p => TrainOptionTable.Find(p.Key)!.Name == option.Name))
                throw YamlText.Error(path, entry.Line, $"'{option.Name}' is both in 'base' and in 'space'; remove it from one.");
            space.Add(ReadParameter(option.Name, entry, path));
        }
        if (space.Count == 0) throw YamlText.Error(path, map.Line, "'space' is empty: name at least one option to tune.");
        foreach (var p in space)
            foreach (var (key, value) in p.When)
            {
                var source = space.FirstOrDefault(q => q.Name == key);
                if (source is null)
                    throw YamlText.Error(path, p.Line, $"'{p.Name}' is tuned when {key} is {value}, but {key} is not in the space (a fixed option's condition is always true or always false: drop 'when').");
                if (space.IndexOf(source) > space.IndexOf(p))
                    throw YamlText.Error(path, p.Line, $"'{p.Name}' depends on {key}, which comes after it in the space: list {key} first.");
                if (source.Distribution is CategoricalDistribution c && c.IndexOf(value) < 0 && !c.Choices.Any(x => string.Equals(x, value, StringComparison.OrdinalIgnoreCase)))
                    throw YamlText.Error(path, p.Line, $"'{p.Name}' is tuned when {key} is {value}, but {key} is one of [{string.Join(", ", c.Choices)}].");
            }
        return space;
    }

    private static TuneParameter ReadParameter(string name, YamlEntry entry, string path)
    {
        if (entry.Value.Kind != YamlValueKind.Mapping)
            throw YamlText.Error(path, entry.Line, $"'{name}' needs a range like `{{ float: [1.0e-4, 1.0], log: true }}`, `{{ int: [32, 512], step: 32 }}` or `{{ categorical: [adam, sgd] }}`, not {entry.Value.Describe()}.");
        var map = entry.Value;
        foreach (var e in map.Entries.Where(e => !EntryKeys.Contains(e.Key)))
            throw YamlText.Error(path, e.Line, $"unknown key '{YamlValue.Shorten(e.Key)}' in '{name}'{Spelling.Suggest(e.Key, EntryKeys)}; a range has {string.Join(", ", EntryKeys)}.");
        var kinds = map.Entries.Where(e => DistributionKeys.Contains(e.Key)).ToList();
        if (kinds.Count != 1)
            throw YamlText.Error(path, entry.Line, kinds.Count == 0
                ? $"'{name}' needs one of float, int or categorical (`{name}: {{ float: [low, high] }}`)."
                : $"'{name}' is given as {string.Join(" and ", kinds.Select(k => k.Key))}; choose one.");
        var kind = kinds[0];
        bool log = map.Find("log") is { } l && Flag(l, path);
        string? stepText = map.Find("step") is { } st ? Number(st.Value, path, $"'{name}' step") : null;
        Distribution distribution;
        try
        {
            distribution = kind.Key switch
            {
                "categorical" => Categorical(name, kind, map, path),
                "int" => Ints(name, kind, log, stepText, path),
                _ => Floats(name, kind, log, stepText, path),
            };
        }
        catch (ArgumentException e)
        {
            throw YamlText.Error(path, kind.Line, $"'{name}': {e.Message}");
        }
        var when = new List<KeyValuePair<string, string>>();
        if (map.Find("when") is { } w)
        {
            if (w.Value.Kind != YamlValueKind.Mapping || w.Value.Entries.Count == 0)
                throw YamlText.Error(path, w.Line, $"'when' is a mapping of options to values (`when: {{ optimizer: sgd }}`), not {w.Value.Describe()}.");
            foreach (var c in w.Value.Entries)
                when.Add(new(YamlOptions.Option(c.Key, c.Line, path).Name, YamlOptions.Value(c.Key, c.Value, path)));
        }
        return new TuneParameter(name, distribution, when, entry.Line);
    }

    private static CategoricalDistribution Categorical(string name, YamlEntry kind, YamlValue map, string path)
    {
        if (map.Find("log") is not null || map.Find("step") is not null)
            throw YamlText.Error(path, kind.Line, $"'{name}' is categorical: 'log' and 'step' belong to float and int ranges.");
        if (kind.Value.Kind != YamlValueKind.Sequence || kind.Value.Items.Count == 0)
            throw YamlText.Error(path, kind.Line, $"'{name}' categorical needs a list of at least one choice (`categorical: [adam, sgd]`), not {(kind.Value.Kind == YamlValueKind.Sequence ? "an empty list" : kind.Value.Describe())}.");
        var choices = kind.Value.Items.Select(i => i.Kind == YamlValueKind.Scalar && i.Text is { } t ? t
            : throw YamlText.Error(path, i.Line, $"each choice of '{name}' is a single value, not {i.Describe()}.")).ToList();
        if (choices.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw YamlText.Error(path, kind.Line, $"'{name}' lists the choice '{YamlValue.Shorten(twice.Key)}' twice.");
        return new CategoricalDistribution(choices);
    }

    private static IntDistribution Ints(string name, YamlEntry kind, bool log, string? stepText, string path)
    {
        var (low, high) = Bounds(name, kind, path);
        if (!long.TryParse(low, NumberStyles.Integer, CultureInfo.InvariantCulture, out long lo) || !long.TryParse(high, NumberStyles.Integer, CultureInfo.InvariantCulture, out long hi))
            throw YamlText.Error(path, kind.Line, $"'{name}' int range needs whole numbers, got [{low}, {high}] (use float: for fractions).");
        long step = 1;
        if (stepText is not null && !long.TryParse(stepText, NumberStyles.Integer, CultureInfo.InvariantCulture, out step))
            throw YamlText.Error(path, kind.Line, $"'{name}' step must be a whole number for an int range, got {stepText}.");
        return new IntDistribution(lo, hi, log, step);
    }

    private static FloatDistribution Floats(string name, YamlEntry kind, bool log, string? stepText, string path)
    {
        var (low, high) = Bounds(name, kind, path);
        double lo = Parse(low, name, kind, path), hi = Parse(high, name, kind, path);
        double? step = stepText is null ? null : Parse(stepText, name, kind, path);
        return new FloatDistribution(lo, hi, log, step);
    }

    private static double Parse(string text, string name, YamlEntry kind, string path) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw YamlText.Error(path, kind.Line, $"'{name}' needs finite numbers, got '{YamlValue.Shorten(text)}'.");

    private static (string Low, string High) Bounds(string name, YamlEntry kind, string path)
    {
        if (kind.Value.Kind != YamlValueKind.Sequence || kind.Value.Items.Count != 2 || kind.Value.Items.Any(i => i.Kind != YamlValueKind.Scalar || i.Text is null))
            throw YamlText.Error(path, kind.Line, $"'{name}' {kind.Key} range is [low, high], two numbers, not {(kind.Value.Kind == YamlValueKind.Sequence ? $"a list of {kind.Value.Items.Count}" : kind.Value.Describe())}.");
        return (kind.Value.Items[0].Text!, kind.Value.Items[1].Text!);
    }

    private static string Number(YamlValue value, string path, string what) =>
        value.Kind == YamlValueKind.Scalar && value.Text is { } t ? t : throw YamlText.Error(path, value.Line, $"{what} is a number, not {value.Describe()}.");

    private static bool Flag(YamlEntry entry, string path) =>
        entry.Value.Kind == YamlValueKind.Scalar && entry.Value.Text is "true" or "false" or "yes" or "no"
            ? entry.Value.Text is "true" or "yes"
            : throw YamlText.Error(path, entry.Line, $"'log' is true or false, not {entry.Value.Describe()}.");

    private static TuneComponent ReadComponent(YamlEntry? entry, string what, string[] names, string fallback, string path)
    {
        if (entry is null) return new TuneComponent(fallback, new Dictionary<string, string>(), 0);
        if (entry.Value.Kind == YamlValueKind.Scalar && entry.Value.Text is { } plain)
            return new TuneComponent(Known(plain, what, names, entry.Line, path), new Dictionary<string, string>(), entry.Line);
        var map = Mapping(entry, path, $"a mapping like `{{ name: {fallback} }}`");
        var settings = new Dictionary<string, string>();
        foreach (var e in map.Entries.Where(e => e.Key != "name"))
            settings[e.Key] = e.Value.Kind == YamlValueKind.Scalar && e.Value.Text is { } t ? t
                : throw YamlText.Error(path, e.Line, $"{what} setting '{YamlValue.Shorten(e.Key)}' needs a single value, not {e.Value.Describe()}.");
        string name = Scalar(map, "name", path) ?? fallback;
        return new TuneComponent(Known(name, what, names, map.Find("name")?.Line ?? entry.Line, path), settings, entry.Line);
    }

    private static string Known(string name, string what, string[] names, long line, string path) => names.Contains(name) ? name
        : throw YamlText.Error(path, line, $"unknown {what} '{YamlValue.Shorten(name)}'{Spelling.Suggest(name, names)}; the {what}s are {string.Join(", ", names)}.");

    private static int Count(YamlEntry entry, string path) =>
        entry.Value.Kind == YamlValueKind.Scalar && int.TryParse(entry.Value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxTrials ? n
            : throw YamlText.Error(path, entry.Line, $"'trials' is a whole number from 1 to {MaxTrials:N0}, not {entry.Value.Describe()}.");

    private static YamlValue Mapping(YamlEntry entry, string path, string shape) =>
        entry.Value.Kind == YamlValueKind.Mapping && entry.Value.Entries.Count > 0 ? entry.Value
            : throw YamlText.Error(path, entry.Line, $"'{entry.Key}' must be {shape}, not {(entry.Value.Kind == YamlValueKind.Mapping ? "an empty one" : entry.Value.Describe())}.");

    private static string? Scalar(YamlValue map, string key, string path) => map.Find(key) is not { } e ? null
        : e.Value.Kind == YamlValueKind.Scalar && e.Value.Text is { } t ? t
        : throw YamlText.Error(path, e.Line, $"'{key}' needs a single value, not {e.Value.Describe()}.");
}
