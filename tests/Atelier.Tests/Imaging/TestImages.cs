using System.Buffers.Binary;
using SkiaSharp;

namespace Atelier.Tests.Imaging;

/// <summary>
/// Small images in every format the decoder reads: JPEG, PNG and WebP encoded by SkiaSharp; BMP and GIF written here,
/// byte by byte, because Skia has no encoder for them (which also keeps those two independent of the decoder).
/// </summary>
internal static class TestImages
{
    /// <summary>An opaque RGBA8 test card: a colour gradient with a dark block, so orientation and channels show.</summary>
    public static byte[] Card(int width, int height)
    {
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 4;
                bool block = x < width / 2 && y < height / 2;
                rgba[i] = block ? (byte)20 : (byte)(40 + x * 200 / width);
                rgba[i + 1] = block ? (byte)20 : (byte)(40 + y * 200 / height);
                rgba[i + 2] = block ? (byte)20 : (byte)180;
                rgba[i + 3] = 255;
            }
        return rgba;
    }

    /// <summary>RGBA8 pixels (straight alpha) encoded by SkiaSharp as JPEG, PNG or WebP (lossless at quality 100).</summary>
    public static unsafe byte[] Encode(SKEncodedImageFormat format, int width, int height, byte[] rgba, int quality = 95)
    {
        fixed (byte* p = rgba)
        {
            using var pixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), (IntPtr)p);
            using var data = pixmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia does not encode {format}.");
            return data.ToArray();
        }
    }

    /// <summary>A 24-bit uncompressed BMP (BITMAPINFOHEADER, rows bottom-up, padded to 4 bytes); alpha is dropped.</summary>
    public static byte[] Bmp(int width, int height, byte[] rgba)
    {
        int stride = (width * 3 + 3) & ~3;
        var file = new byte[54 + stride * height];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), 54); // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40); // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1); // planes
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), 24); // bits per pixel; compression 0 = BI_RGB
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int s = (y * width + x) * 4, o = 54 + (height - 1 - y) * stride + x * 3;
                file[o] = rgba[s + 2];
                file[o + 1] = rgba[s + 1];
                file[o + 2] = rgba[s];
            }
        return file;
    }

    /// <summary>
    /// A GIF89a of palette indices (0..3) with a 4-colour global palette, optionally index 0 transparent. The LZW
    /// stream sends a clear code before every second pixel, so every code stays 3 bits wide: valid, if not small.
    /// </summary>
    public static byte[] Gif(int width, int height, byte[] indices, byte[] palette12, bool transparentZero = false)
    {
        var file = new List<byte>();
        file.AddRange("GIF89a"u8.ToArray());
        file.AddRange([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8)]);
        file.AddRange([0xF1, 0, 0]); // global colour table of 2^(1+1) = 4 entries, 8-bit colour resolution
        file.AddRange(palette12);
        if (transparentZero) file.AddRange([0x21, 0xF9, 4, 0x01, 0, 0, 0, 0]); // graphic control: index 0 transparent
        file.AddRange([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        const int minCodeSize = 2, clear = 4, end = 5;
        file.Add(minCodeSize);
        var codes = new List<int>();
        for (int i = 0; i < indices.Length; i++)
        {
            if (i % 2 == 0) codes.Add(clear);
            codes.Add(indices[i]);
        }
        codes.Add(end);
        var packed = new List<byte>();
        int bits = 0, count = 0;
        foreach (int code in codes)
        {
            bits |= code << count;
            count += 3;
            while (count >= 8) { packed.Add((byte)bits); bits >>= 8; count -= 8; }
        }
        if (count > 0) packed.Add((byte)bits);
        for (int at = 0; at < packed.Count; at += 255)
        {
            int n = Math.Min(255, packed.Count - at);
            file.Add((byte)n);
            file.AddRange(packed.GetRange(at, n));
        }
        file.Add(0); // block terminator
        file.Add(0x3B); // trailer
        return [.. file];
    }

    /// <summary>The JPEG with an EXIF APP1 segment right after SOI that sets orientation tag 0x0112 to <paramref name="orientation"/>.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, // Orientation, SHORT, 1 value
            0, 0, 0, 0, // no next IFD
        ];
        var body = (byte[])[.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = body.Length + 2;
        return [.. jpeg[..2], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. body, .. jpeg[2..]];
    }

    /// <summary>The JPEG with its frame header (SOF0 or SOF2) rewritten to declare <paramref name="width"/>x<paramref name="height"/>.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, ushort width, ushort height)
    {
        var result = (byte[])jpeg.Clone();
        for (int i = 2; i + 9 < result.Length; i++)
            if (result[i] == 0xFF && result[i + 1] is 0xC0 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(i + 7), width);
                return result;
            }
        throw new InvalidOperationException("No SOF0/SOF2 marker in the JPEG.");
    }

    /// <summary>Mean absolute difference per sample between two RGBA8 buffers: JPEG's error is judged on average.</summary>
    public static double MeanError(byte[] expected, ushort[] actual16)
    {
        double sum = 0;
        for (int i = 0; i < expected.Length; i++) sum += Math.Abs(expected[i] - actual16[i] / 257.0);
        return sum / expected.Length;
    }
}
