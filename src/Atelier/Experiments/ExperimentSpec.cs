using Atelier.Training;
using YamlDotNet.RepresentationModel;

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
    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The experiment file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path);
    }

    public static ExperimentSpec Parse(string yaml, string path)
    {
        if (YamlOptions.Parse(yaml, path) is not YamlMappingNode root)
            throw new InvalidDataException($"{path} must be a YAML mapping with 'name', 'base' and 'runs' or 'grid'.");
        string name = Scalar(root, "name") ?? Path.GetFileNameWithoutExtension(path);
        string description = Scalar(root, "description") ?? "";
        var basePairs = root.Children.TryGetValue(new YamlScalarNode("base"), out var b)
            ? YamlOptions.FromMapping(b as YamlMappingNode ?? throw new InvalidDataException($"{path}: 'base' must be a mapping of options."), path)
            : [];
        var runs = new List<ExperimentRun>();
        if (root.Children.TryGetValue(new YamlScalarNode("runs"), out var r))
        {
            if (r is not YamlSequenceNode list) throw new InvalidDataException($"{path}: 'runs' must be a list of option mappings.");
            foreach (var item in list)
            {
                if (item is not YamlMappingNode map) throw new InvalidDataException($"{path}: each entry of 'runs' must be a mapping (line {item.Start.Line}).");
                var pairs = YamlOptions.FromMapping(map, path);
                string label = pairs.FirstOrDefault(p => p.Key == "label").Value ?? Label(pairs);
                runs.Add(new ExperimentRun(label, pairs.Where(p => p.Key != "label").ToList()));
            }
        }
        if (root.Children.TryGetValue(new YamlScalarNode("grid"), out var g))
        {
            if (g is not YamlMappingNode grid) throw new InvalidDataException($"{path}: 'grid' must map option names to lists of values.");
            var axes = grid.Children.Select(kv => (Key: ((YamlScalarNode)kv.Key).Value!, Values: kv.Value is YamlSequenceNode seq
                ? seq.Children.Select(v => ((YamlScalarNode)v).Value ?? "").ToList()
                : throw new InvalidDataException($"{path}: grid option '{kv.Key}' must be a list of values."))).ToList();
            var seeds = runs.Count > 0 ? runs.ToList() : [new ExperimentRun("", [])];
            runs.Clear();
            foreach (var seed in seeds)
                foreach (var combination in Cartesian(axes))
                {
                    var pairs = seed.Overrides.Concat(combination).ToList();
                    runs.Add(new ExperimentRun(seed.Label.Length > 0 ? $"{seed.Label}-{Label(combination)}" : Label(combination), pairs));
                }
        }
        if (runs.Count == 0) throw new InvalidDataException($"{path} defines no runs: add a 'runs' list or a 'grid'.");
        var spec = new ExperimentSpec(name, description, basePairs, runs);
        foreach (var run in runs) spec.OptionsFor(run, 1).Validate();
        return spec;
    }

    /// <summary>The full options of a run; <paramref name="scale"/> &lt; 1 shortens it (fewer epochs and training images) for demos and tests.</summary>
    public TrainOptions OptionsFor(ExperimentRun run, double scale)
    {
        var options = new TrainOptions();
        foreach (var (key, value) in Base.Concat(run.Overrides)) TrainOptionTable.Set(options, key, value);
        if (scale < 1)
        {
            options.Epochs = Math.Max(1, (int)Math.Ceiling(options.Epochs * scale));
            int available = 60_000 - options.ValSize;
            options.TrainSize = Math.Max(options.BatchSize, (int)(available * scale));
            // A study that trains on every training image (val-size 0, as report 002 did) keeps doing so when shortened.
            if (options.ValSize > 0) options.ValSize = Math.Max(100, (int)(options.ValSize * scale));
            options.TestSize = Math.Max(500, (int)(10_000 * scale));
        }
        options.Experiment = Name;
        options.Name = $"{Name}-{run.Label}";
        return options;
    }

    private static IEnumerable<List<KeyValuePair<string, string>>> Cartesian(List<(string Key, List<string> Values)> axes)
    {
        IEnumerable<List<KeyValuePair<string, string>>> result = [[]];
        foreach (var (key, values) in axes)
            result = result.SelectMany(prefix => values.Select(v => new List<KeyValuePair<string, string>>(prefix) { new(key, v) })).ToList();
        return result;
    }

    private static string Label(IEnumerable<KeyValuePair<string, string>> pairs) =>
        string.Join("-", pairs.Select(p => $"{p.Key}={p.Value}")).Replace(' ', '_');

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? (node as YamlScalarNode)?.Value : null;
}
