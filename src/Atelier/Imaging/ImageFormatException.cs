namespace Atelier.Imaging;

/// <summary>
/// A file is not an image Atelier can read (an unknown format, truncated, corrupt, or declaring an absurd size); the
/// message is one sentence naming the image and the problem, fit to show a user or return as a 400.
/// </summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(string message) : base(message) { }

    public ImageFormatException(string message, Exception inner) : base(message, inner) { }
}
