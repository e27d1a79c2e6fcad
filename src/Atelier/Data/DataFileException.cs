namespace Atelier.Data;

/// <summary>
/// A data file is missing, malformed or could not be downloaded. The message is one sentence naming the file (or
/// URL) and what is wrong, written for the person at the command line; the CLI prints it and exits non-zero.
/// </summary>
public sealed class DataFileException : Exception
{
    public DataFileException(string message) : base(message) { }

    public DataFileException(string message, Exception inner) : base(message, inner) { }
}
