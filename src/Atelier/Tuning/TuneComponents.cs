using System.Globalization;
using Atelier.Training;

namespace Atelier.Tuning;

/// <summary>The sampler and pruner a tuning file names, with its settings checked (unknown or out-of-range ones refused with their line).</summary>
public static class TuneComponents
{
    public static ISampler Sampler(TuneSpec spec, string path)
    {
        var settings = new Settings(spec.Sampler, "sampler", path);
        int? seed = settings.Int("seed", int.MinValue, int.MaxValue);
        ISampler sampler = spec.Sampler.Name switch
        {
            "random" => new RandomSampler(seed),
            _ => new RandomSampler(seed),
        };
        settings.CheckAllUsed();
        return sampler;
    }

    public static IPruner Pruner(TuneSpec spec, string path)
    {
        var settings = new Settings(spec.Pruner, "pruner", path);
        IPruner pruner = spec.Pruner.Name switch
        {
            _ => new NopPruner(),
        };
        settings.CheckAllUsed();
        return pruner;
    }

    /// <summary>How many points a grid over the space has; null when it is not a grid study.</summary>
    public static int? GridSize(TuneSpec spec) => null;

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

        public void CheckAllUsed()
        {
            foreach (var key in component.Settings.Keys.Where(k => !used.Contains(k)))
                throw YamlText.Error(path, component.Line, $"{what} {component.Name} has no setting '{YamlValue.Shorten(key)}'{Spelling.Suggest(key, used)}; its settings are {(used.Count == 0 ? "none" : string.Join(", ", used))}.");
        }
    }
}
