namespace Atelier.Imaging;

/// <summary>
/// A decoded PNG as 16-bit RGBA whatever the file's colour type and depth: samples are scaled to 0..65535
/// (an 8-bit 200 becomes 200·257), palettes are looked up and tRNS transparency becomes alpha.
/// </summary>
public sealed class PngImage
{
    public PngImage(int width, int height, ushort[] rgba, PngColorType colorType, int bitDepth, bool interlaced)
    {
        if (rgba.Length != (long)width * height * 4) throw new ArgumentException($"{rgba.Length} samples do not hold {width}x{height} RGBA pixels.");
        Width = width;
        Height = height;
        Rgba = rgba;
        ColorType = colorType;
        BitDepth = bitDepth;
        Interlaced = interlaced;
    }

    /// <summary>Names the image in messages: the path it was decoded from, or the name given to the decoder.</summary>
    public string Name { get; init; } = "The image";

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major R, G, B, A per pixel, 0..65535.</summary>
    public ushort[] Rgba { get; }

    /// <summary>As stored in the file (for information; the pixels are always RGBA 16).</summary>
    public PngColorType ColorType { get; }
    public int BitDepth { get; }
    public bool Interlaced { get; }

    public (ushort R, ushort G, ushort B, ushort A) Pixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"Pixel ({x}, {y}) is outside a {Width}x{Height} image.");
        int i = (y * Width + x) * 4;
        return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }
}
