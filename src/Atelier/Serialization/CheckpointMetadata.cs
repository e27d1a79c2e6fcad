using System.Globalization;
using System.Text.Json;

namespace Atelier.Serialization;

/// <summary>
/// Reads the atelier.* values of a checkpoint's safetensors metadata. They are text anyone can edit, so each is
/// checked before it sizes a model or normalises an image: a bad one throws <see cref="InvalidModelFileException"/>
/// with one sentence naming the file and the field, never a JSON, format or overflow exception.
/// </summary>
public static class CheckpointMetadata
{
    public const string Model = "atelier.model", Classes = "atelier.classes", Input = "atelier.input";
    public const string Mean = "atelier.mean", Std = "atelier.std", Options = "atelier.options";

    /// <summary>Largest channel count and image side accepted: the zoo's models are for small images; more is a corrupt header.</summary>
    public const int MaxChannels = 4, MaxSide = 1024;

    /// <summary>Most classes accepted (labels are bytes in the IDX format).</summary>
    public const int MaxClasses = 256;

    public static string ModelName(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Model, out var name))
            throw new InvalidModelFileException(path, $"{path} is a safetensors file but not an Atelier checkpoint: its metadata names no model ({Model}).");
        if (name.Trim().Length == 0) throw Bad(path, Model, name, "not a model name");
        return name;
    }

    /// <summary>The class names: a JSON array of 1 to 256 distinct non-empty strings.</summary>
    public static string[] ClassNames(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Classes, out var text))
            throw new InvalidModelFileException(path, $"{path} has no {Classes} in its metadata, so its predictions could not be named.");
        const string expected = "not a JSON array of class names (non-empty strings)";
        using var document = Parse(path, Classes, text, expected);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array) throw Bad(path, Classes, text, expected);
        var names = new List<string>();
        foreach (var item in root.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString()!.Trim().Length == 0) throw Bad(path, Classes, text, expected);
            string name = item.GetString()!;
            if (names.Contains(name)) throw Bad(path, Classes, text, $"which names the class '{Shorten(name)}' twice");
            names.Add(name);
        }
        if (names.Count == 0) throw Bad(path, Classes, text, "an empty list: a classifier needs at least one class");
        if (names.Count > MaxClasses) throw Bad(path, Classes, text, $"a list of {names.Count} classes, more than the {MaxClasses} accepted");
        return [.. names];
    }

    /// <summary>"C,H,W": three positive whole numbers, at most 4 channels and 1024 pixels a side; "1,28,28" when absent.</summary>
    public static (int Channels, int Height, int Width) InputShape(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Input, out var text)) return (1, 28, 28);
        var parts = text.Split(',');
        const string expected = "not three positive whole numbers (channels, height, width)";
        if (parts.Length != 3) throw Bad(path, Input, text, expected);
        var dims = new int[3];
        for (int i = 0; i < 3; i++)
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
                throw Bad(path, Input, text, expected);
        if (dims[0] > MaxChannels || dims[1] > MaxSide || dims[2] > MaxSide)
            throw Bad(path, Input, text, $"larger than the {MaxChannels} channels of {MaxSide}x{MaxSide} pixels a checkpoint may declare");
        return (dims[0], dims[1], dims[2]);
    }

    /// <summary>The normalisation mean: a finite number; 0 when absent.</summary>
    public static float MeanValue(string path, IReadOnlyDictionary<string, string> metadata) =>
        Number(path, metadata, Mean, 0f, mustBePositive: false);

    /// <summary>The normalisation standard deviation: a finite number above 0 (it divides); 1 when absent.</summary>
    public static float StdValue(string path, IReadOnlyDictionary<string, string> metadata) =>
        Number(path, metadata, Std, 1f, mustBePositive: true);

    /// <summary>The run's options as name → text: a JSON object of strings; empty when absent.</summary>
    public static Dictionary<string, string> OptionPairs(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!metadata.TryGetValue(Options, out var text)) return pairs;
        const string expected = "not a JSON object of option names and string values";
        using var document = Parse(path, Options, text, expected);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Bad(path, Options, text, expected);
        foreach (var item in root.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw Bad(path, Options, text, expected);
            if (!pairs.TryAdd(item.Name, item.Value.GetString()!)) throw Bad(path, Options, text, $"which names the option '{Shorten(item.Name)}' twice");
        }
        return pairs;
    }

    /// <summary>One sentence naming the file, the field and its (shortened) value.</summary>
    public static InvalidModelFileException Bad(string path, string field, string value, string why, Exception? inner = null) =>
        new(path, $"{path} has a bad {field} in its metadata: '{Shorten(value)}' is {why}.", inner);

    private static float Number(string path, IReadOnlyDictionary<string, string> metadata, string field, float absent, bool mustBePositive)
    {
        if (!metadata.TryGetValue(field, out var text)) return absent;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
            throw Bad(path, field, text, "not a finite number");
        if (mustBePositive && !(value > 0)) throw Bad(path, field, text, "not above 0, and the image is divided by it");
        return value;
    }

    private static JsonDocument Parse(string path, string field, string text, string expected)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Bad(path, field, text, expected, e);
        }
    }

    /// <summary>A value as it can appear in a one-line message: control characters escaped, at most 60 characters.</summary>
    private static string Shorten(string value)
    {
        var text = new System.Text.StringBuilder();
        foreach (char c in value)
        {
            if (text.Length >= 60) return text.Append("...").ToString();
            if (char.IsControl(c)) text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else text.Append(c);
        }
        return text.ToString();
    }
}
