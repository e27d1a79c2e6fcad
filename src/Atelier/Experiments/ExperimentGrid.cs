using Atelier.Training;

namespace Atelier.Experiments;

/// <summary>An experiment's `grid:`: every combination of the listed values becomes a run (times each listed run, when there are runs).</summary>
internal static class ExperimentGrid
{
    public static List<PlannedRun> Expand(YamlValue grid, long gridLine, List<PlannedRun> seeds, string path)
    {
        var axes = new List<(string Key, List<string> Values)>();
        var seen = new Dictionary<string, long>();
        var scratch = new TrainOptions();
        foreach (var entry in grid.Entries)
        {
            if (entry.Key == "label")
                throw YamlText.Error(path, entry.Line, "'label' cannot be a grid axis: grid runs are labelled by their values (give labels in 'runs').");
            var option = YamlOptions.Option(entry.Key, entry.Line, path);
            if (seen.TryGetValue(option.Name, out long first))
                throw YamlText.Error(path, entry.Line, $"the grid varies '{option.Name}' twice (also on line {first}); keep one.");
            seen[option.Name] = entry.Line;
            if (entry.Value.Kind != YamlValueKind.Sequence || entry.Value.Items.Count == 0)
                throw YamlText.Error(path, entry.Value.Line, $"grid option '{YamlValue.Shorten(entry.Key)}' needs a list of values (`{YamlValue.Shorten(entry.Key)}: [a, b]`), not {(entry.Value.Kind == YamlValueKind.Sequence ? "an empty list, which makes no runs" : entry.Value.Describe())}.");
            var values = new List<string>();
            foreach (var item in entry.Value.Items)
            {
                string value = item.Kind == YamlValueKind.Scalar && item.Text is { } text ? text
                    : throw YamlText.Error(path, item.Line, $"each value of grid option '{YamlValue.Shorten(entry.Key)}' must be a single value, not {item.Describe()}.");
                YamlOptions.Check(option, value, item.Line, path, scratch);
                values.Add(value);
            }
            axes.Add((entry.Key, values));
        }
        CheckSize(axes, Math.Max(1, seeds.Count), gridLine, path);
        foreach (var seed in seeds)
            foreach (var (key, _) in seed.Run.Overrides)
                if (seen.TryGetValue(TrainOptionTable.Find(key)!.Name, out long axisLine))
                    throw YamlText.Error(path, seed.Line, $"the run sets '{key}', which the grid also varies (line {axisLine}); the grid's value would silently win, so remove one.");

        var runs = new List<PlannedRun>();
        IEnumerable<PlannedRun?> sources = seeds.Count > 0 ? seeds : new PlannedRun?[] { null };
        foreach (var seed in sources)
            foreach (var combination in Cartesian(axes))
            {
                string label = ExperimentSpec.Label(combination);
                runs.Add(seed is null
                    ? new PlannedRun(new ExperimentRun(label, combination), $"the grid on line {gridLine}", gridLine)
                    : new PlannedRun(new ExperimentRun($"{seed.Run.Label}-{label}", seed.Run.Overrides.Concat(combination).ToList()), $"line {seed.Line} with the grid on line {gridLine}", seed.Line));
            }
        return runs;
    }

    private static void CheckSize(List<(string Key, List<string> Values)> axes, int seeds, long line, string path)
    {
        double runs = seeds;
        foreach (var axis in axes) runs *= axis.Values.Count;
        if (runs > ExperimentSpec.MaxRuns)
            throw YamlText.Error(path, line, $"the grid makes {runs:N0} runs, more than the {ExperimentSpec.MaxRuns:N0} an experiment may have; split it into several files.");
    }

    private static IEnumerable<List<KeyValuePair<string, string>>> Cartesian(List<(string Key, List<string> Values)> axes)
    {
        IEnumerable<List<KeyValuePair<string, string>>> result = [[]];
        foreach (var (key, values) in axes)
            result = result.SelectMany(prefix => values.Select(v => new List<KeyValuePair<string, string>>(prefix) { new(key, v) })).ToList();
        return result;
    }
}
