namespace Atelier.Imaging;

/// <summary>
/// An image with nothing to classify: every pixel has the same colour (before or after the background is removed
/// and the object cropped), so any prediction would be meaningless however confident. The message is one sentence
/// naming the image. It derives from <see cref="IOException"/> (bad input, not a bug) only so that callers which
/// already report an unreadable input file as one sentence and go on with the next (the predict command) do the same
/// with a blank one; code that wants to tell them apart catches this type first.
/// </summary>
public sealed class BlankImageException : IOException
{
    public BlankImageException(string imageName, string message) : base(message) => ImageName = imageName;

    /// <summary>The image as the caller named it (its path, usually).</summary>
    public string ImageName { get; }
}
