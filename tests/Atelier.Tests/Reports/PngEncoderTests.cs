using System.Buffers.Binary;
using System.Text;
using Atelier.Imaging;
using Atelier.Reports;

namespace Atelier.Tests.Reports;

public sealed class PngEncoderTests
{
    // Bit-by-bit CRC-32 (no table), independent of the encoder's own.
    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (uint)-(int)(c & 1));
        }
        return ~c;
    }

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<(string, byte[])>();
        int at = 8;
        while (at < png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, len).ToArray();
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + len));
            Assert.Equal(Crc(png.AsSpan(at + 4, 4 + len)), crc);
            chunks.Add((type, data));
            at += 12 + len;
        }
        Assert.Equal(png.Length, at);
        return chunks;
    }

    [Fact]
    public void CrcMatchesTheKnownCheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc("123456789"u8));
        // IEND's CRC is fixed by the spec: AE 42 60 82.
        byte[] png = PngEncoder.Gray8(1, 1, [0]);
        Assert.Equal(new byte[] { 0xAE, 0x42, 0x60, 0x82 }, png[^4..]);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    [InlineData(6, 4)]
    public void EncodesTheHeaderAndPixelsThatDecodeBackExactly(int colorType, int channels)
    {
        const int w = 5, h = 3;
        var pixels = new byte[w * h * channels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 + 11);
        byte[] png = colorType switch
        {
            0 => PngEncoder.Gray8(w, h, pixels),
            2 => PngEncoder.Rgb8(w, h, pixels),
            _ => PngEncoder.Rgba8(w, h, pixels),
        };
        var chunks = Chunks(png);
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Contains(chunks, c => c.Type == "IDAT");
        Assert.Equal("IEND", chunks[^1].Type);
        var ihdr = chunks[0].Data;
        Assert.Equal(13, ihdr.Length);
        Assert.Equal(w, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(h, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal(new byte[] { 8, (byte)colorType, 0, 0, 0 }, ihdr[8..]);

        var decoded = ImageDecoder.Decode(png, "report.png");
        for (int p = 0; p < w * h; p++)
        {
            var (r, g, b, a) = decoded.Pixel(p % w, p / w);
            var expected = channels switch
            {
                1 => (pixels[p], pixels[p], pixels[p], 255),
                3 => (pixels[p * 3], pixels[p * 3 + 1], pixels[p * 3 + 2], 255),
                _ => (pixels[p * 4], pixels[p * 4 + 1], pixels[p * 4 + 2], pixels[p * 4 + 3]),
            };
            Assert.Equal(expected, (r / 257, g / 257, b / 257, a / 257));
        }
    }

    [Fact]
    public void RejectsWrongPixelCount()
    {
        var e = Assert.Throws<ArgumentException>(() => PngEncoder.Gray8(28, 28, new byte[10]));
        Assert.Contains("784", e.Message);
        Assert.Throws<ArgumentException>(() => PngEncoder.Rgb8(0, 1, []));
    }
}
