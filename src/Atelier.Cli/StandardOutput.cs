using System.Text;

namespace Atelier.Cli;

/// <summary>
/// Standard output that says so when it cannot be written (a full disk, a closed pipe), instead of an IOException
/// that would pass for a problem with one of the user's files.
/// </summary>
public sealed class StandardOutput(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void Flush() => Guard(inner.Flush);

    private static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException e) when (e is not StandardOutputException)
        {
            throw new StandardOutputException(e);
        }
    }
}

/// <summary>Standard output could not be written.</summary>
public sealed class StandardOutputException(IOException inner)
    : IOException($"Cannot write to standard output ({inner.Message.TrimEnd('.')}): what it shows is cut short.", inner);
