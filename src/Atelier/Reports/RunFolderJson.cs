using System.Globalization;
using System.Text.Json;

namespace Atelier.Reports;

/// <summary>
/// Strict reading of a run folder's JSON files for reports: a damaged file (cut short, hand-edited, wrong types)
/// is one InvalidDataException naming the file and the field, not a JsonException or a cast deep in a chart.
/// </summary>
internal static class RunFolderJson
{
    /// <summary>A run's JSON files are kilobytes (results.json of 10 classes, one history row per epoch); larger is not Atelier's.</summary>
    public const long MaxLength = 16 << 20;

    public static JsonDocument Parse(string file)
    {
        long length = new FileInfo(file).Length;
        if (length > MaxLength) throw new InvalidDataException($"{file} is {length:N0} bytes, too large to be a run's file; delete it or rerun the run.");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not valid JSON (line {e.LineNumber + 1}): it is damaged or was cut short; rerun the run or delete the file.");
        }
    }

    public static InvalidDataException Wrong(string file, string field, string wanted, JsonElement got) =>
        new($"{file}: {field} must be {wanted}, not {Describe(got)}.");

    public static JsonElement Object(JsonElement e, string file, string field) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Wrong(file, field, "an object", e);

    public static JsonElement Array(JsonElement e, string file, string field) =>
        e.ValueKind == JsonValueKind.Array ? e : throw Wrong(file, field, "a list", e);

    public static JsonElement Required(JsonElement obj, string name, string file, string field) =>
        obj.TryGetProperty(name, out var value) ? value : throw new InvalidDataException($"{file}: {field} is missing; the file is damaged (rerun the run or delete the file).");

    /// <summary>A number; NaN and the infinities are strings ("NaN"), as <see cref="Training.RunFolder.JsonOptions"/> writes them.</summary>
    public static double Number(JsonElement e, string file, string field)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v)) return v;
        if (e.ValueKind == JsonValueKind.String && double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out v)) return v;
        throw Wrong(file, field, "a number", e);
    }

    public static long Count(JsonElement e, string file, string field) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0 ? v : throw Wrong(file, field, "a whole number of at least 0", e);

    public static string Text(JsonElement e, string file, string field) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Wrong(file, field, "text", e);

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        JsonValueKind.String => $"the text \"{Shorten(e.GetString()!)}\"",
        _ => Shorten(e.GetRawText()),
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
