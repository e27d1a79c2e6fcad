using System.Text;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of YAML text, aimed at what breaks YAML loaders: YAML punctuation, tabs and newlines in odd places,
/// lines duplicated, dropped, swapped or re-indented, truncation, splices of two files, and hostile scalar values.
/// The same seed gives the same mutations, and <see cref="Mutate"/> says what it did, so a failure can be replayed.
/// </summary>
internal sealed class YamlMutator(int seed)
{
    private const string Punctuation = "{}[]:,-&*!|>'\"#%@?`~\t\n ";

    // Values a user (or a damaged file) might put where a scalar goes.
    private static readonly string[] Tokens =
    [
        "", "~", "null", "[]", "{}", "[a, [b]]", "{ a: 1 }", "&a", "*a", "&a x", "!!binary", "!tag", "<<: *a", "? x", "- ", "--- ", "...",
        "\"unterminated", "'quote", "|", ">-", "NaN", "-1", "0", "1e400", "99999999999999999999", "true", "..", "../up", "/abs", "a b",
        "label", "base", "runs", "grid", "name", "é", "\u0085", "\ufeff", "%YAML 1.2", "\t", "\r\n", new string('x', 300),
    ];

    private readonly Random random = new(seed);

    /// <summary>One to four mutations of <paramref name="text"/>; <paramref name="other"/> is the second file for splices.</summary>
    public (string Text, string Mutation) Mutate(string text, string other)
    {
        var done = new List<string>();
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++)
        {
            var (next, what) = Once(text, other);
            text = next;
            done.Add(what);
        }
        return (text, string.Join("; ", done));
    }

    private (string, string) Once(string text, string other)
    {
        int at = text.Length == 0 ? 0 : random.Next(text.Length + 1);
        var lines = text.Split('\n').ToList();
        int line = random.Next(lines.Count);
        switch (random.Next(12))
        {
            case 0:
            {
                if (text.Length == 0) goto case 2;
                int i = Math.Min(at, text.Length - 1);
                char c = RandomChar();
                return (text[..i] + c + text[(i + 1)..], $"flip {i} to {Show(c)}");
            }
            case 1:
            {
                int length = Math.Min(1 + random.Next(random.Next(2) == 0 ? 2 : 12), text.Length - Math.Min(at, text.Length));
                return (text.Remove(Math.Min(at, text.Length), length), $"delete {length} at {at}");
            }
            case 2:
            case 3:
            {
                char c = Punctuation[random.Next(Punctuation.Length)];
                return (text.Insert(at, c.ToString()), $"insert {Show(c)} at {at}");
            }
            case 4:
                lines.Insert(line, lines[line]);
                return (string.Join('\n', lines), $"duplicate line {line + 1}");
            case 5:
                lines.RemoveAt(line);
                return (string.Join('\n', lines), $"delete line {line + 1}");
            case 6:
            {
                int other2 = random.Next(lines.Count);
                (lines[line], lines[other2]) = (lines[other2], lines[line]);
                return (string.Join('\n', lines), $"swap lines {line + 1} and {other2 + 1}");
            }
            case 7:
                return (text[..Math.Min(at, text.Length)], $"truncate at {at}");
            case 8:
            {
                var tail = other.Split('\n');
                int from = random.Next(tail.Length);
                return (string.Join('\n', lines.Take(line + 1).Concat(tail.Skip(from))), $"splice after line {line + 1} the other file from line {from + 1}");
            }
            case 9:
            {
                int shift = random.Next(-4, 5);
                lines[line] = shift >= 0 ? new string(' ', shift) + lines[line] : lines[line].TrimStart(' ').PadLeft(Math.Max(0, lines[line].Length + shift));
                return (string.Join('\n', lines), $"indent line {line + 1} by {shift}");
            }
            case 10:
            {
                // Replace what follows a line's ':' (its value), or the whole line when it has none.
                string token = Tokens[random.Next(Tokens.Length)];
                int colon = lines[line].IndexOf(':');
                lines[line] = colon >= 0 ? lines[line][..(colon + 1)] + " " + token : token;
                return (string.Join('\n', lines), $"value of line {line + 1} := {Show(token)}");
            }
            default:
            {
                string token = Tokens[random.Next(Tokens.Length)];
                return (text.Insert(at, token), $"insert {Show(token)} at {at}");
            }
        }
    }

    private char RandomChar() => random.Next(4) switch
    {
        0 => Punctuation[random.Next(Punctuation.Length)],
        1 => (char)random.Next(0x20, 0x7f),
        2 => (char)random.Next(0, 0x20),
        _ => (char)random.Next(0x80, 0x3000),
    };

    internal static string Show(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s.Length > 40 ? s[..37] + "..." : s)
            sb.Append(c is < ' ' or (>= '\u007f' and <= '\u00a0') or '\ufeff' ? $"\\u{(int)c:x4}" : c.ToString());
        return sb.Append('"').ToString();
    }

    private static string Show(char c) => Show(c.ToString());

    /// <summary>Bytes of <paramref name="text"/> with a few random bytes overwritten: invalid UTF-8, NULs, stray BOMs.</summary>
    public (byte[] Bytes, string Mutation) MutateBytes(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var done = new List<string>();
        for (int i = 0, n = 1 + random.Next(3); i < n && bytes.Length > 0; i++)
        {
            int at = random.Next(bytes.Length);
            byte b = (byte)random.Next(256);
            bytes[at] = b;
            done.Add($"byte {at} := 0x{b:x2}");
        }
        return (bytes, string.Join("; ", done));
    }
}
