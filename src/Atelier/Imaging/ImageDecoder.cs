namespace Atelier.Imaging;

/// <summary>
/// Decodes an image file of any supported format into RGBA pixels, for `atelier predict` and the server alike.
/// Every failure is a <see cref="PngFormatException"/> naming the image.
/// </summary>
public static class ImageDecoder
{
    public static PngImage Decode(string path) => PngDecoder.Decode(path);

    /// <param name="data">the file's bytes.</param>
    /// <param name="name">names the image in messages (a file name, "the uploaded image").</param>
    public static PngImage Decode(ReadOnlySpan<byte> data, string name) => PngDecoder.Decode(data, name);
}
