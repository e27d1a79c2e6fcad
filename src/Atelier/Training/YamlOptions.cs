using YamlDotNet.RepresentationModel;

namespace Atelier.Training;

/// <summary>Reads a flat YAML mapping of option names to scalar values (a run's configuration file).</summary>
public static class YamlOptions
{
    public static List<KeyValuePair<string, string>> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The configuration file '{path}' does not exist.");
        var root = Parse(File.ReadAllText(path), path);
        if (root is not YamlMappingNode mapping) throw new InvalidDataException($"{path} must be a mapping of option names to values (e.g. `epochs: 10`).");
        return FromMapping(mapping, path);
    }

    public static YamlNode? Parse(string text, string path)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{path} is not valid YAML (line {e.Start.Line}): {e.InnerException?.Message ?? e.Message}");
        }
    }

    public static List<KeyValuePair<string, string>> FromMapping(YamlMappingNode mapping, string path)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in mapping.Children)
        {
            if (value is not YamlScalarNode scalar)
                throw new InvalidDataException($"{path}: option '{key}' must have a single value (line {value.Start.Line}).");
            pairs.Add(new(((YamlScalarNode)key).Value ?? "", scalar.Value ?? ""));
        }
        return pairs;
    }
}
