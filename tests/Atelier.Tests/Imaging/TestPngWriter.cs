using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Tests.Imaging;

/// <summary>
/// Builds PNG files for the decoder tests: any colour type and bit depth, Adam7 or not, and every scanline filter
/// (row r of each pass uses filter r % 5, so all five appear). Samples are given raw: channels per pixel, row-major.
/// </summary>
internal static class TestPngWriter
{
    private static readonly int[] Adam7 = [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];

    public static int Channels(PngColorType type) => type switch
    {
        PngColorType.Grayscale or PngColorType.Palette => 1,
        PngColorType.GrayscaleAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    public static byte[] Encode(int width, int height, PngColorType type, int depth, int[] samples, bool interlaced = false,
        byte[]? palette = null, byte[]? transparency = null, int? onlyFilter = null)
    {
        var raw = new MemoryStream();
        if (!interlaced) WritePass(raw, width, height, type, depth, samples, 0, 0, 1, 1, onlyFilter);
        else
            for (int p = 0; p < 7; p++)
                WritePass(raw, width, height, type, depth, samples, Adam7[p * 4], Adam7[p * 4 + 1], Adam7[p * 4 + 2], Adam7[p * 4 + 3], onlyFilter);

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)depth;
        header[9] = (byte)type;
        header[12] = interlaced ? (byte)1 : (byte)0;
        var chunks = new List<(string, byte[])> { ("IHDR", header) };
        if (palette is not null) chunks.Add(("PLTE", palette));
        if (transparency is not null) chunks.Add(("tRNS", transparency));
        // Split the data over two IDAT chunks: the decoder must join them.
        var data = compressed.ToArray();
        int half = data.Length / 2;
        chunks.Add(("IDAT", data[..half]));
        chunks.Add(("IDAT", data[half..]));
        chunks.Add(("IEND", []));
        return Assemble(chunks);
    }

    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks) WriteChunk(file, type, data);
        return file.ToArray();
    }

    public static void WriteChunk(Stream file, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        file.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        file.Write(typeBytes);
        file.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(typeBytes), data));
        file.Write(word);
    }

    private static void WritePass(MemoryStream raw, int width, int height, PngColorType type, int depth, int[] samples,
        int x0, int y0, int dx, int dy, int? onlyFilter)
    {
        int channels = Channels(type);
        int pw = width > x0 ? (width - x0 + dx - 1) / dx : 0, ph = height > y0 ? (height - y0 + dy - 1) / dy : 0;
        if (pw == 0 || ph == 0) return;
        int rowBytes = (pw * channels * depth + 7) / 8, bpp = Math.Max(1, channels * depth / 8);
        var previous = new byte[rowBytes];
        for (int r = 0; r < ph; r++)
        {
            var row = new byte[rowBytes];
            int y = y0 + r * dy;
            for (int i = 0; i < pw; i++)
            {
                int x = x0 + i * dx;
                for (int c = 0; c < channels; c++)
                {
                    int value = samples[(y * width + x) * channels + c];
                    int index = i * channels + c;
                    if (depth == 16) { row[index * 2] = (byte)(value >> 8); row[index * 2 + 1] = (byte)value; }
                    else if (depth == 8) row[index] = (byte)value;
                    else row[index * depth / 8] |= (byte)(value << (8 - depth - index * depth % 8));
                }
            }
            int filter = onlyFilter ?? r % 5;
            raw.WriteByte((byte)filter);
            var filtered = new byte[rowBytes];
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => Paeth(a, b, c),
                };
                filtered[i] = (byte)(row[i] - predictor);
            }
            raw.Write(filtered);
            previous = row;
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
