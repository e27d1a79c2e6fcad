using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Reports;

/// <summary>Minimal PNG writer: 8-bit grayscale, RGB and RGBA, non-interlaced, filter "None" on every scanline.</summary>
public static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>pixels: [height, width] row-major, 0 = black.</summary>
    public static byte[] Gray8(int width, int height, ReadOnlySpan<byte> pixels) => Encode(width, height, pixels, colorType: 0, channels: 1);

    /// <summary>rgb: [height, width, 3] row-major.</summary>
    public static byte[] Rgb8(int width, int height, ReadOnlySpan<byte> rgb) => Encode(width, height, rgb, colorType: 2, channels: 3);

    /// <summary>rgba: [height, width, 4] row-major, straight (not premultiplied) alpha.</summary>
    public static byte[] Rgba8(int width, int height, ReadOnlySpan<byte> rgba) => Encode(width, height, rgba, colorType: 6, channels: 4);

    private static byte[] Encode(int width, int height, ReadOnlySpan<byte> pixels, byte colorType, int channels)
    {
        if (width < 1 || height < 1) throw new ArgumentException($"A PNG needs a positive size; got {width}×{height}.");
        long rowBytes = (long)width * channels;
        if (pixels.Length != rowBytes * height)
            throw new ArgumentException($"A {width}×{height} image with {channels} channel(s) needs {rowBytes * height} bytes; got {pixels.Length}.");

        var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;          // bit depth
        ihdr[9] = colorType;  // 0 gray, 2 RGB, 6 RGBA
        ihdr[10] = 0;         // compression: deflate
        ihdr[11] = 0;         // filter method 0
        ihdr[12] = 0;         // no interlace
        WriteChunk(output, "IHDR"u8, ihdr);

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter type None
                z.Write(pixels.Slice((int)(y * rowBytes), (int)rowBytes));
            }
        }
        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        s.Write(type);
        s.Write(data);
        uint crc = Imaging.Crc32.Append(Imaging.Crc32.Compute(type), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        s.Write(word);
    }
}
