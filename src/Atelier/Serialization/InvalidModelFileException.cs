namespace Atelier.Serialization;

/// <summary>
/// A model file that cannot be read: malformed, truncated, of an unsupported kind, or saved from a different
/// model. The message is one sentence naming the file, meant to be shown as is (the CLI prints only it).
/// </summary>
public sealed class InvalidModelFileException : Exception
{
    public InvalidModelFileException(string path, string message, Exception? inner = null) : base(message, inner) => FilePath = path;

    /// <summary>The file as the caller named it.</summary>
    public string FilePath { get; }
}
