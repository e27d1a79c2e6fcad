using System.Globalization;
using Atelier.Training;

namespace Atelier.Tuning;

/// <summary>The sampler and pruner a tuning file names, with its settings checked (unknown or out-of-range ones refused with their line).</summary>
public static class TuneComponents
{
    public static ISampler Sampler(TuneSpec spec, string path)
    {
        var settings = new Settings(spec.Sampler, "sampler", path);
        ISampler sampler = spec.Sampler.Name switch
        {
            "random" => new RandomSampler(settings.Int("seed", int.MinValue, int.MaxValue)),
            "grid" => new GridSampler(GridSpace(spec, path)),
            _ => new TpeSampler(
                seed: settings.Int("seed", int.MinValue, int.MaxValue),
                multivariate: settings.Bool("multivariate") ?? false,
                // On by default: with several workers, the points still running count as bad so nobody proposes them again.
                constantLiar: settings.Bool("constant-liar") ?? true,
                nStartupTrials: settings.Int("startup-trials", 0, 100_000) ?? 10,
                nEiCandidates: settings.Int("candidates", 1, 100_000) ?? 24,
                priorWeight: settings.Float("prior-weight", 1e-6, 1e6) ?? 1.0,
                considerMagicClip: settings.Bool("magic-clip") ?? true,
                considerEndpoints: settings.Bool("endpoints") ?? false),
        };
        settings.CheckAllUsed();
        return sampler;
    }

    public static IPruner Pruner(TuneSpec spec, string path)
    {
        var settings = new Settings(spec.Pruner, "pruner", path);
        IPruner pruner = spec.Pruner.Name switch
        {
            "median" => new MedianPruner(
                nStartupTrials: settings.Int("startup-trials", 0, 100_000) ?? 5,
                nWarmupSteps: settings.Int("warmup-steps", 0, 100_000) ?? 0,
                intervalSteps: settings.Int("interval-steps", 1, 100_000) ?? 1,
                nMinTrials: settings.Int("min-trials", 1, 100_000) ?? 1),
            "successive-halving" => new SuccessiveHalvingPruner(
                minResource: settings.Int("min-resource", 1, 100_000),
                reductionFactor: settings.Int("reduction-factor", 2, 100) ?? 4,
                minEarlyStoppingRate: settings.Int("min-early-stopping-rate", 0, 100) ?? 0,
                bootstrapCount: settings.Int("bootstrap-count", 0, 100_000) ?? 0),
            "hyperband" => Hyperband(settings),
            _ => new NopPruner(),
        };
        settings.CheckAllUsed();
        return pruner;
    }

    private static HyperbandPruner Hyperband(Settings settings)
    {
        int min = settings.Int("min-resource", 1, 100_000) ?? 1;
        int? max = settings.Int("max-resource", 1, 100_000);
        if (max < min) throw settings.Error($"'max-resource' ({max}) is below 'min-resource' ({min})");
        return new HyperbandPruner(min, max, settings.Int("reduction-factor", 2, 100) ?? 3, settings.Int("bootstrap-count", 0, 100_000) ?? 0);
    }

    /// <summary>How many points a grid over the space has; null when it is not a grid study.</summary>
    public static int? GridSize(TuneSpec spec) =>
        spec.Sampler.Name == "grid" ? (int)Math.Min(int.MaxValue, GridSampler.CountPoints(GridSpace(spec, spec.Name))) : null;

    /// <summary>The space as a grid: every parameter bounded (ints, categoricals, stepped floats) and unconditional.</summary>
    private static Dictionary<string, Distribution> GridSpace(TuneSpec spec, string path)
    {
        foreach (var p in spec.Space)
        {
            if (p.When.Count > 0)
                throw YamlText.Error(path, p.Line, $"'{p.Name}' is conditional (when {p.DescribeWhen()}); a grid sampler needs every parameter in every trial: use tpe or random.");
            if (p.Distribution is FloatDistribution { Step: null, IsSingle: false })
                throw YamlText.Error(path, p.Line, $"'{p.Name}' is a continuous float range, which has no grid: give it a 'step', or use tpe or random.");
        }
        var space = spec.Space.ToDictionary(p => p.Name, p => p.Distribution);
        long points = GridSampler.CountPoints(space);
        if (points > TuneSpec.MaxTrials)
            throw YamlText.Error(path, spec.Sampler.Line, $"the grid has {points:N0} points, more than the {TuneSpec.MaxTrials:N0} trials a study may have: coarsen its steps.");
        return space;
    }
    /// <summary>A component's settings, read one by one; those never read are unknown.</summary>
    private sealed class Settings(TuneComponent component, string what, string path)
    {
        private readonly HashSet<string> used = [];

        public int? Int(string key, int min, int max)
        {
            used.Add(key);
            if (!component.Settings.TryGetValue(key, out var text)) return null;
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? v
                : throw YamlText.Error(path, component.Line, $"{what} {component.Name}: '{key}' must be a whole number from {min:N0} to {max:N0}, got '{YamlValue.Shorten(text)}'.");
        }

        public double? Float(string key, double min, double max)
        {
            used.Add(key);
            if (!component.Settings.TryGetValue(key, out var text)) return null;
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max ? v
                : throw YamlText.Error(path, component.Line, string.Create(CultureInfo.InvariantCulture, $"{what} {component.Name}: '{key}' must be a number from {min:G} to {max:G}, got '{YamlValue.Shorten(text)}'."));
        }

        public bool? Bool(string key)
        {
            used.Add(key);
            if (!component.Settings.TryGetValue(key, out var text)) return null;
            return text is "true" or "yes" ? true : text is "false" or "no" ? false
                : throw YamlText.Error(path, component.Line, $"{what} {component.Name}: '{key}' is true or false, got '{YamlValue.Shorten(text)}'.");
        }

        public InvalidDataException Error(string message) => YamlText.Error(path, component.Line, $"{what} {component.Name}: {message}.");

        public void CheckAllUsed()
        {
            foreach (var key in component.Settings.Keys.Where(k => !used.Contains(k)))
                throw YamlText.Error(path, component.Line, $"{what} {component.Name} has no setting '{YamlValue.Shorten(key)}'{Spelling.Suggest(key, used)}; its settings are {(used.Count == 0 ? "none" : string.Join(", ", used))}.");
        }
    }
}
