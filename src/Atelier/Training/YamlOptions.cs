using Atelier.Models;

namespace Atelier.Training;

/// <summary>An option read from YAML: its name as written, its value, and the line it is on.</summary>
public sealed record YamlOption(string Key, string Value, long Line);

/// <summary>Reads a flat YAML mapping of option names to scalar values (a run's configuration file).</summary>
public static class YamlOptions
{
    public static List<KeyValuePair<string, string>> Read(string path) => Parse(YamlText.ReadFile(path, "configuration file"), path);

    /// <summary>A configuration's text; <paramref name="path"/> names it in messages.</summary>
    public static List<KeyValuePair<string, string>> Parse(string text, string path)
    {
        var root = YamlText.Load(text, path);
        if (root.Kind != YamlValueKind.Mapping)
            throw YamlText.Error(path, root.Line, $"a configuration file is a mapping of option names to values (e.g. `epochs: 10`), not {root.Describe()}.");
        return Options(root, path).Select(o => new KeyValuePair<string, string>(o.Key, o.Value)).ToList();
    }

    /// <summary>
    /// The entries of <paramref name="mapping"/> as training options, each checked here so the error names its line: a
    /// known option, one value that the option accepts, not set twice (`lr` and `LR` are one option).
    /// </summary>
    /// <param name="mapping">The YAML mapping of option names to values.</param>
    /// <param name="path">The file's path, for the messages.</param>
    /// <param name="skip">A key that is not an option (an experiment run's `label`), left out.</param>
    public static List<YamlOption> Options(YamlValue mapping, string path, string? skip = null)
    {
        var options = new List<YamlOption>();
        var seen = new Dictionary<string, long>();
        var scratch = new TrainOptions();
        foreach (var entry in mapping.Entries)
        {
            if (entry.Key == skip) continue;
            var option = Option(entry.Key, entry.Line, path);
            if (seen.TryGetValue(option.Name, out long first))
                throw YamlText.Error(path, entry.Line, $"'{entry.Key}' sets the option '{option.Name}' again (already on line {first}); keep one.");
            seen[option.Name] = entry.Line;
            string value = Value(entry.Key, entry.Value, path);
            Check(option, value, entry.Value.Line, path, scratch);
            options.Add(new YamlOption(entry.Key, value, entry.Line));
        }
        return options;
    }

    /// <summary>The option named <paramref name="key"/>; an unknown name is refused with the closest known one.</summary>
    public static TrainOption Option(string key, long line, string path)
    {
        if (key == "<<")
            throw YamlText.Error(path, line, "YAML merge keys (`<<: *anchor`) are not supported; write the options out (an experiment's shared ones go in 'base').");
        return TrainOptionTable.Find(key)
            ?? throw YamlText.Error(path, line, $"unknown option '{YamlValue.Shorten(key)}'{Spelling.Suggest(key.Replace('_', '-'), TrainOptionTable.All.Select(o => o.Name))}; `atelier train --help` lists them.");
    }

    /// <summary>A single, present value for option <paramref name="key"/>.</summary>
    public static string Value(string key, YamlValue value, string path) =>
        value.Kind != YamlValueKind.Scalar
            ? throw YamlText.Error(path, value.Line, $"option '{YamlValue.Shorten(key)}' needs a single value, not {value.Describe()}.")
            : value.Text ?? throw YamlText.Error(path, value.Line, $"option '{YamlValue.Shorten(key)}' has no value; write `{YamlValue.Shorten(key)}: VALUE` or remove the line.");

    /// <summary>Refuses a value the option cannot take ("--epochs needs a whole number"), with the line; <paramref name="scratch"/> absorbs it.</summary>
    public static void Check(TrainOption option, string value, long line, string path, TrainOptions scratch)
    {
        try
        {
            option.Set(scratch, value);
            // An unknown model is the likeliest typo in a file, and is cheap to check here where the line is known.
            if (option.Name == "model") ModelZoo.Get(value);
        }
        catch (ArgumentException e)
        {
            throw YamlText.Error(path, line, e.Message);
        }
    }
}
