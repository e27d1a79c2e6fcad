namespace Atelier.Imaging;

/// <summary>A file is not a PNG this decoder can read; the message is one sentence naming the file and the problem.</summary>
public sealed class PngFormatException : Exception
{
    public PngFormatException(string message) : base(message) { }

    public PngFormatException(string message, Exception inner) : base(message, inner) { }
}
