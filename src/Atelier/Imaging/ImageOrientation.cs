using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Turns pixels stored in a file's order into the order they are meant to be seen in, by the EXIF orientation a
/// camera writes instead of rotating the JPEG itself: a phone photo of a trouser held upright is stored lying on its
/// side, and Skia's codec hands the pixels over as stored.
/// </summary>
public static class ImageOrientation
{
    /// <summary>The image as seen; the buffer itself when <paramref name="origin"/> is the ordinary top-left.</summary>
    /// <param name="origin">where the stored first row and first column belong (EXIF tag 0x0112).</param>
    /// <param name="width">the stored width.</param>
    /// <param name="height">the stored height.</param>
    /// <param name="rgba">the stored pixels, four samples each, row-major.</param>
    public static (int Width, int Height, ushort[] Rgba) Apply(SKEncodedOrigin origin, int width, int height, ushort[] rgba)
    {
        if (origin is not (SKEncodedOrigin.TopRight or SKEncodedOrigin.BottomRight or SKEncodedOrigin.BottomLeft
            or SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom))
            return (width, height, rgba); // top-left (the usual) or a value no camera writes
        // Origins 5 to 8 put the stored rows in the seen columns: the seen image is the stored one turned a quarter.
        bool swaps = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int seenWidth = swaps ? height : width, seenHeight = swaps ? width : height;
        var seen = new ushort[rgba.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (height - 1 - y, x),
                    SKEncodedOrigin.RightBottom => (height - 1 - y, width - 1 - x),
                    _ => (y, width - 1 - x), // LeftBottom
                };
                rgba.AsSpan((y * width + x) * 4, 4).CopyTo(seen.AsSpan((sy * seenWidth + sx) * 4, 4));
            }
        return (seenWidth, seenHeight, seen);
    }
}
