using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Atelier.Training;

/// <summary>
/// Reads Atelier's YAML files (training configurations, experiment files) into <see cref="YamlValue"/> trees, turning
/// every way a file can be malformed into one InvalidDataException sentence with the file and line: not UTF-8, binary,
/// empty, several documents, duplicate or non-text keys, undefined aliases, nesting too deep, and YamlDotNet's own
/// syntax errors.
/// </summary>
public static class YamlText
{
    /// <summary>Atelier's YAML files are a few kilobytes; anything this large is the wrong file, and is refused before it is parsed.</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Atelier's files nest three levels (grid → option → values); the limit keeps a hostile file from exhausting the stack or memory.</summary>
    public const int MaxDepth = 32;

    /// <summary>The text of <paramref name="path"/>, strictly UTF-8 (or UTF-16/32 with a byte-order mark).</summary>
    /// <param name="path">the file to read.</param>
    /// <param name="what">"configuration file", "experiment file": for the message when the file does not exist.</param>
    public static string ReadFile(string path, string what)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The {what} '{path}' does not exist.");
        long length = new FileInfo(path).Length;
        if (length > MaxLength)
            throw new InvalidDataException($"{path} is {length:N0} bytes, too large for a {what} (at most {MaxLength:N0}); is it the right file?");
        try
        {
            using var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{path} is not UTF-8 text: save the {what} as UTF-8.");
        }
    }

    /// <summary>The one YAML document of <paramref name="text"/>; <paramref name="path"/> names it in messages.</summary>
    public static YamlValue Load(string text, string path)
    {
        if (text.Length > MaxLength)
            throw new InvalidDataException($"{path} is {text.Length:N0} characters, too large for an Atelier YAML file (at most {MaxLength:N0}); is it the right file?");
        CheckCharacters(text, path);
        var root = Build(new Parser(new StringReader(text)), text, path);
        return root is null || root.IsNull ? throw new InvalidDataException($"{path} is empty: it holds no YAML, only blank lines or comments.") : root;
    }

    public static InvalidDataException Error(string path, long line, string message) => new(OneLine($"{path}, line {line}: {message}"));

    /// <summary>Messages quote what the user wrote, which may hold a newline or a tab (a quoted key, a block scalar): the message stays one line.</summary>
    public static string OneLine(string message) => message.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");

    private static YamlValue? Build(Parser parser, string text, string path)
    {
        YamlValue? root = null;
        int documents = 0;
        var open = new Stack<Frame>();
        var anchors = new Dictionary<string, YamlValue>();
        while (Next())
        {
            var e = parser.Current!;
            long line = e.Start.Line;
            switch (e)
            {
                case DocumentStart:
                    if (++documents > 1) throw Error(path, line, "a second YAML document starts here; the file must hold one document (remove the '---' or split the file).");
                    break;
                case Scalar s:
                    var scalar = YamlValue.Scalar(line, IsNull(s) ? null : s.Value);
                    Attach(scalar, line);
                    if (!s.Anchor.IsEmpty) anchors[s.Anchor.Value] = scalar;
                    break;
                case AnchorAlias a:
                    // An anchor counts once its node is complete, so an alias can never make a cycle (`&a [*a]`).
                    if (!anchors.TryGetValue(a.Value.Value, out var target))
                        throw Error(path, line, $"the alias '*{YamlValue.Shorten(a.Value.Value)}' refers to no anchor '&{YamlValue.Shorten(a.Value.Value)}' defined (and closed) before it.");
                    Attach(target, line);
                    break;
                case MappingStart m:
                    Open(YamlValue.Mapping(line), m.Anchor, line, m.Style == MappingStyle.Flow ? '{' : null);
                    break;
                case SequenceStart q:
                    Open(YamlValue.Sequence(line), q.Anchor, line, q.Style == SequenceStyle.Flow ? '[' : null);
                    break;
                case MappingEnd or SequenceEnd:
                    var done = open.Pop();
                    if (!done.Anchor.IsEmpty) anchors[done.Anchor.Value] = done.Node;
                    break;
            }
        }
        return root;

        bool Next()
        {
            try
            {
                return parser.MoveNext();
            }
            catch (YamlException e)
            {
                throw SyntaxError(e.Message, e.Start.Line, e.Start.Column, text, path, Unclosed(), lost: e.Message.Contains("flow", StringComparison.Ordinal));
            }
            catch (InvalidOperationException e)
            {
                // YamlDotNet 16.3's scanner fails this way (no position) on a flow mapping left open across lines.
                long at = parser.Current?.End.Line ?? 1;
                throw SyntaxError(e.Message, at, null, text, path, Unclosed(), lost: true);
            }
        }

        // The innermost '{' or '[' still open when the parser failed: where an unclosed bracket really is.
        Frame? Unclosed() => open.FirstOrDefault(f => f.Bracket is not null);

        void Open(YamlValue node, AnchorName anchor, long line, char? bracket)
        {
            Attach(node, line);
            if (open.Count >= MaxDepth) throw Error(path, line, $"the YAML nests more than {MaxDepth} levels deep; Atelier's files need three.");
            open.Push(new Frame(node, anchor, bracket));
        }

        void Attach(YamlValue node, long line)
        {
            if (open.Count == 0)
            {
                root = node;
                return;
            }
            var parent = open.Peek();
            if (parent.Node.Kind == YamlValueKind.Sequence)
            {
                parent.Node.Add(node);
                return;
            }
            if (parent.Key is not { } key)
            {
                if (node.Kind != YamlValueKind.Scalar)
                    throw Error(path, line, $"a key is {node.Describe()}; keys must be plain names (is a ':' or '-' misplaced?).");
                if (string.IsNullOrWhiteSpace(node.Text))
                    throw Error(path, line, "a key is empty; write `name: value`.");
                if (!parent.Keys.TryAdd(node.Text, line))
                    throw Error(path, line, $"the key '{YamlValue.Shorten(node.Text)}' appears twice in the same mapping, on line {parent.Keys[node.Text]} and line {line}; keep one.");
                parent.Key = (node.Text, line);
                return;
            }
            parent.Node.Add(new YamlEntry(key.Name, key.Line, node));
            parent.Key = null;
        }
    }

    // YAML 1.1/1.2 core schema nulls, written plainly: `lr:`, `lr: ~`, `lr: null`. A quoted "null" is text.
    private static bool IsNull(Scalar s) => s.Style == ScalarStyle.Plain && s.Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>Refuses control characters (a binary file that happens to be valid UTF-8) before YAML sees them.</summary>
    private static void CheckCharacters(string text, string path)
    {
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') line++;
            bool control = (c < ' ' && c is not ('\t' or '\n' or '\r')) || (c >= '\u007f' && c <= '\u009f' && c != '\u0085') || c is '\ufffe' or '\uffff';
            bool lone = char.IsHighSurrogate(c) ? i + 1 >= text.Length || !char.IsLowSurrogate(text[++i]) : char.IsLowSurrogate(c);
            if (control || lone)
                throw Error(path, line, $"the file holds the control character U+{(int)c:X4}; it is not a YAML text file (or it is damaged).");
        }
    }

    /// <param name="yamlMessage">YamlDotNet's own message.</param>
    /// <param name="line">The line YamlDotNet points at (1-based).</param>
    /// <param name="column">The column it points at, when it gives one.</param>
    /// <param name="text">The whole file's text.</param>
    /// <param name="path">The file's path, for the message.</param>
    /// <param name="unclosed">The innermost flow collection ('[' or '{') still open where the parser stopped; null when none.</param>
    /// <param name="lost">Whether the parser lost track of a flow collection ("while parsing a flow mapping", its InvalidOperationException).</param>
    private static InvalidDataException SyntaxError(string yamlMessage, long line, long? column, string text, string path, Frame? unclosed, bool lost)
    {
        string[] lines = text.Split('\n');
        // A tab in the indentation confuses YamlDotNet into odd words and positions (line 1, "cannot start any token"): name the tab's line.
        int tab = Array.FindIndex(lines, l => l.TrimStart(' ').StartsWith('\t') && l.Trim().Length > 0 && !l.Trim().StartsWith('#'));
        if (tab >= 0) return Error(path, tab + 1, "the line is indented with a tab; YAML indents with spaces only.");
        // Blame the bracket only when the parser ran off the end looking for its close, not for any error inside it.
        if (unclosed is not null && (lost || line >= lines.Length))
            return Error(path, unclosed.Node.Line, $"the '{unclosed.Bracket}' opened on this line is not closed (YAML gave up at line {Math.Min(line, lines.Length)}); add the '{(unclosed.Bracket == '{' ? '}' : ']')}'.");
        // Errors at the end of the text point one past the last line.
        line = Math.Clamp(line, 1, lines.Length);
        string message = yamlMessage.Length > 0 ? char.ToLowerInvariant(yamlMessage[0]) + yamlMessage[1..] : "unreadable YAML";
        string inside = unclosed is not null ? $" (inside the '{unclosed.Bracket}' opened on line {unclosed.Node.Line})" : "";
        return Error(path, line, $"not valid YAML{(column is { } c ? $" at column {c}" : "")}: {message.TrimEnd('.')}{inside}.");
    }

    private sealed class Frame(YamlValue node, AnchorName anchor, char? bracket)
    {
        public YamlValue Node { get; } = node;
        public AnchorName Anchor { get; } = anchor;
        public char? Bracket { get; } = bracket;
        public (string Name, long Line)? Key { get; set; }

        /// <summary>A mapping's keys so far, with their lines: a dictionary, since a hostile file may hold 100,000 keys.</summary>
        public Dictionary<string, long> Keys { get; } = new(StringComparer.Ordinal);
    }
}
