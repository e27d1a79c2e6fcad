namespace Atelier.Imaging;

/// <summary>
/// A decoded image as 16-bit RGBA with straight (not premultiplied) alpha, whatever the file's format: samples are on
/// 0..65535 (an 8-bit 200 becomes 200·257), so the preprocessing does not care which decoder or depth produced them.
/// </summary>
public sealed class DecodedImage
{
    /// <param name="width">in pixels, at least 1.</param>
    /// <param name="height">in pixels, at least 1.</param>
    /// <param name="rgba">row-major R, G, B, A per pixel, 0..65535; kept, not copied.</param>
    public DecodedImage(int width, int height, ushort[] rgba)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"An image needs a positive size; got {width}x{height}.");
        if (rgba.Length != (long)width * height * 4) throw new ArgumentException($"{rgba.Length} samples do not hold {width}x{height} RGBA pixels.");
        Width = width;
        Height = height;
        Rgba = rgba;
    }

    /// <summary>Names the image in messages: the path it was decoded from, or the name given to the decoder.</summary>
    public string Name { get; init; } = "The image";

    /// <summary>The file's format as the decoder found it ("JPEG", "PNG", "WebP", "BMP", "GIF"); for information.</summary>
    public string Format { get; init; } = "";

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major R, G, B, A per pixel, 0..65535.</summary>
    public ushort[] Rgba { get; }

    public (ushort R, ushort G, ushort B, ushort A) Pixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside a {Width}x{Height} image.");
        int i = (y * Width + x) * 4;
        return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }
}
