namespace Atelier.Training;

public enum YamlValueKind
{
    Scalar,
    Mapping,
    Sequence,
}

/// <summary>One key of a YAML mapping: keys are always plain text in Atelier's files, so they are kept as text with their line.</summary>
public sealed record YamlEntry(string Key, long Line, YamlValue Value);

/// <summary>
/// A YAML node as Atelier's files use it: a scalar (null for YAML's null: `lr:`, `~`), a mapping with text keys in
/// file order, or a list; each with the line it starts on, so every error can point at it.
/// </summary>
public sealed class YamlValue
{
    private readonly List<YamlEntry> entries = [];
    private readonly List<YamlValue> items = [];

    private YamlValue(YamlValueKind kind, long line, string? text)
    {
        Kind = kind;
        Line = line;
        Text = text;
    }

    public YamlValueKind Kind { get; }
    public long Line { get; }

    /// <summary>A scalar's text; null for a YAML null and for collections.</summary>
    public string? Text { get; }

    public bool IsNull => Kind == YamlValueKind.Scalar && Text is null;
    public IReadOnlyList<YamlEntry> Entries => entries;
    public IReadOnlyList<YamlValue> Items => items;

    /// <summary>What the node is, for messages: "a mapping", "a list", "nothing", "'adam'".</summary>
    public string Describe() => Kind switch
    {
        YamlValueKind.Mapping => "a mapping",
        YamlValueKind.Sequence => "a list",
        _ => Text is null ? "nothing" : $"'{Shorten(Text)}'",
    };

    internal static YamlValue Scalar(long line, string? text) => new(YamlValueKind.Scalar, line, text);
    internal static YamlValue Mapping(long line) => new(YamlValueKind.Mapping, line, null);
    internal static YamlValue Sequence(long line) => new(YamlValueKind.Sequence, line, null);

    internal void Add(YamlEntry entry) => entries.Add(entry);
    internal void Add(YamlValue item) => items.Add(item);

    /// <summary>The entry named <paramref name="key"/>, or null.</summary>
    public YamlEntry? Find(string key) => entries.FirstOrDefault(e => e.Key == key);

    // A pasted paragraph or binary blob would drown the message it is quoted in.
    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
