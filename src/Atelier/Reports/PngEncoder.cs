using SkiaSharp;

namespace Atelier.Reports;

/// <summary>
/// Writes the reports' PNGs (8-bit grayscale, RGB or RGBA) through SkiaSharp's encoder, the same library that decodes
/// the images users hand us, so the two cannot disagree about the format.
/// </summary>
public static class PngEncoder
{
    /// <summary>pixels: [height, width] row-major, 0 = black.</summary>
    public static byte[] Gray8(int width, int height, ReadOnlySpan<byte> pixels)
    {
        Check(width, height, pixels.Length, channels: 1);
        return Encode(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), pixels);
    }

    /// <summary>rgb: [height, width, 3] row-major.</summary>
    public static byte[] Rgb8(int width, int height, ReadOnlySpan<byte> rgb)
    {
        Check(width, height, rgb.Length, channels: 3);
        // Skia has no packed 3-byte colour type: RGB888x (a padding byte per pixel) is its RGB, written as a PNG without alpha.
        var padded = new byte[(long)width * height * 4];
        for (int i = 0, o = 0; i < rgb.Length; i += 3, o += 4)
        {
            padded[o] = rgb[i];
            padded[o + 1] = rgb[i + 1];
            padded[o + 2] = rgb[i + 2];
            padded[o + 3] = 255;
        }
        return Encode(new SKImageInfo(width, height, SKColorType.Rgb888x, SKAlphaType.Opaque), padded);
    }

    /// <summary>rgba: [height, width, 4] row-major, straight (not premultiplied) alpha.</summary>
    public static byte[] Rgba8(int width, int height, ReadOnlySpan<byte> rgba)
    {
        Check(width, height, rgba.Length, channels: 4);
        return Encode(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), rgba);
    }

    private static void Check(int width, int height, int length, int channels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"A PNG needs a positive size; got {width}×{height}.");
        long needed = (long)width * height * channels;
        if (length != needed)
            throw new ArgumentException($"A {width}×{height} image with {channels} channel(s) needs {needed} bytes; got {length}.");
    }

    private static unsafe byte[] Encode(SKImageInfo info, ReadOnlySpan<byte> pixels)
    {
        fixed (byte* p = pixels)
        {
            // The pixmap only borrows the pinned span for the length of the call.
            using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
            using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 9))
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {info.Width}×{info.Height} {info.ColorType} PNG.");
            return data.ToArray();
        }
    }
}
