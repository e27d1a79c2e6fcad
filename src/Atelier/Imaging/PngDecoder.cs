using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Imaging;

/// <summary>
/// Decodes PNG files (ISO/IEC 15948): every colour type (gray, RGB, palette, gray+alpha, RGBA), bit depths 1/2/4/8/16,
/// the five scanline filters, Adam7 interlacing and tRNS transparency; inflate is System.IO.Compression.ZLibStream.
/// Every chunk's CRC is checked. Anything malformed throws <see cref="PngFormatException"/> with one sentence.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Refuse larger images before inflating anything: a photo for a 28x28 classifier never needs more, and the RGBA16
    /// copy of 40 megapixels is already 320 MB (a 100-byte file can declare 4 billion).
    /// </summary>
    public const long MaxPixels = 40_000_000;

    // Adam7 passes: first column, first row, column step, row step.
    private static ReadOnlySpan<byte> Adam7 => [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];

    public static PngImage Decode(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PngFormatException($"Cannot read {path}: {e.Message}", e);
        }
        return Decode(data, path);
    }

    /// <param name="data">the bytes of a PNG file.</param>
    /// <param name="name">names the image in error messages (its path, usually).</param>
    public static PngImage Decode(ReadOnlySpan<byte> data, string name = "The image")
    {
        if (data.Length < Signature.Length || !data[..Signature.Length].SequenceEqual(Signature))
            throw new PngFormatException($"{name} is not a PNG file (it does not start with the PNG signature).");

        Header? header = null;
        ReadOnlySpan<byte> palette = default, transparency = default;
        var idat = new MemoryStream();
        bool sawIend = false, idatEnded = false;
        int pos = Signature.Length;
        while (pos < data.Length)
        {
            if (data.Length - pos < 12)
                throw new PngFormatException($"{name} is truncated: a chunk header is cut off at byte {pos}.");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var typeBytes = data.Slice(pos + 4, 4);
            string type = ChunkName(typeBytes, name);
            if (length > int.MaxValue || data.Length - pos - 12 < length)
                throw new PngFormatException($"{name} is truncated: its {type} chunk runs past the end of the file.");
            var body = data.Slice(pos + 8, (int)length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            if (Crc32.Append(Crc32.Compute(typeBytes), body) != storedCrc)
                throw new PngFormatException($"{name} is corrupt: the CRC of its {type} chunk does not match.");
            pos += 12 + (int)length;

            if (header is null && type != "IHDR")
                throw new PngFormatException($"{name} is not a valid PNG: its first chunk is {type}, not IHDR.");
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw new PngFormatException($"{name} is not a valid PNG: it has two IHDR chunks.");
                    header = ReadHeader(body, name);
                    break;
                case "PLTE":
                    if (body.Length == 0 || body.Length % 3 != 0 || body.Length / 3 > 256)
                        throw new PngFormatException($"{name} has a PLTE chunk of {body.Length} bytes, which is not 1 to 256 RGB entries.");
                    palette = body;
                    break;
                case "tRNS":
                    transparency = body;
                    break;
                case "IDAT":
                    if (idatEnded) throw new PngFormatException($"{name} is not a valid PNG: its IDAT chunks are not consecutive.");
                    idat.Write(body);
                    break;
                case "IEND":
                    sawIend = true;
                    break;
                default:
                    // Lowercase first letter = ancillary (safe to ignore); uppercase = critical and unknown to us.
                    if (char.IsUpper(type[0])) throw new PngFormatException($"{name} uses the critical chunk {type}, which this decoder does not know.");
                    break;
            }
            if (type != "IDAT" && idat.Length > 0) idatEnded = true;
            if (sawIend) break;
        }
        if (header is null) throw new PngFormatException($"{name} is truncated: it has no IHDR chunk.");
        if (idat.Length == 0) throw new PngFormatException($"{name} has no image data (no IDAT chunk).");
        if (!sawIend) throw new PngFormatException($"{name} is truncated: it ends without an IEND chunk.");
        var h = header.Value;
        if (h.ColorType == PngColorType.Palette && palette.IsEmpty)
            throw new PngFormatException($"{name} is a palette image without a PLTE chunk.");

        var raw = Inflate(idat, ExpectedRawSize(h), name);
        var rgba = new ushort[(long)h.Width * h.Height * 4];
        var alphaOfGrayOrRgb = TransparentKey(h, transparency, name);
        if (!h.Interlaced)
            DecodePass(raw, h, 0, 0, 1, 1, h.Width, h.Height, palette, transparency, alphaOfGrayOrRgb, rgba, name);
        else
        {
            int offset = 0;
            for (int p = 0; p < 7; p++)
            {
                int x0 = Adam7[p * 4], y0 = Adam7[p * 4 + 1], dx = Adam7[p * 4 + 2], dy = Adam7[p * 4 + 3];
                int pw = PassSize(h.Width, x0, dx), ph = PassSize(h.Height, y0, dy);
                if (pw == 0 || ph == 0) continue;
                int size = ph * (1 + RowBytes(h, pw));
                DecodePass(raw.AsSpan(offset, size), h, x0, y0, dx, dy, pw, ph, palette, transparency, alphaOfGrayOrRgb, rgba, name);
                offset += size;
            }
        }
        return new PngImage(h.Width, h.Height, rgba, h.ColorType, h.BitDepth, h.Interlaced) { Name = name };
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
    {
        public int Channels => ColorType switch
        {
            PngColorType.Grayscale or PngColorType.Palette => 1,
            PngColorType.GrayscaleAlpha => 2,
            PngColorType.Rgb => 3,
            _ => 4,
        };

        public int BitsPerPixel => Channels * BitDepth;
    }

    private static string ChunkName(ReadOnlySpan<byte> type, string name)
    {
        foreach (byte b in type)
            if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
                throw new PngFormatException($"{name} is corrupt: it has a chunk whose type is not four letters.");
        return System.Text.Encoding.ASCII.GetString(type);
    }

    private static Header ReadHeader(ReadOnlySpan<byte> body, string name)
    {
        if (body.Length != 13) throw new PngFormatException($"{name} has an IHDR chunk of {body.Length} bytes instead of 13.");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(body), height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], colorType = body[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new PngFormatException($"{name} declares a size of {width}x{height}, which is not a valid PNG size.");
        if ((long)width * height > MaxPixels)
            throw new PngFormatException($"{name} is {width}x{height} pixels, more than the {MaxPixels / 1_000_000} megapixels this program accepts; scale it down first.");
        bool depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => throw new PngFormatException($"{name} declares colour type {colorType}, which PNG does not define."),
        };
        if (!depthOk) throw new PngFormatException($"{name} declares bit depth {depth} for colour type {colorType}, a combination PNG does not allow.");
        if (body[10] != 0) throw new PngFormatException($"{name} declares compression method {body[10]}; PNG defines only 0.");
        if (body[11] != 0) throw new PngFormatException($"{name} declares filter method {body[11]}; PNG defines only 0.");
        if (body[12] > 1) throw new PngFormatException($"{name} declares interlace method {body[12]}; PNG defines only 0 and 1.");
        return new Header((int)width, (int)height, depth, (PngColorType)colorType, body[12] == 1);
    }

    private static int PassSize(int size, int start, int step) => size > start ? (size - start + step - 1) / step : 0;

    private static int RowBytes(Header h, int width) => (int)(((long)width * h.BitsPerPixel + 7) / 8);

    private static long ExpectedRawSize(Header h)
    {
        if (!h.Interlaced) return (long)h.Height * (1 + RowBytes(h, h.Width));
        long total = 0;
        for (int p = 0; p < 7; p++)
        {
            int pw = PassSize(h.Width, Adam7[p * 4], Adam7[p * 4 + 2]), ph = PassSize(h.Height, Adam7[p * 4 + 1], Adam7[p * 4 + 3]);
            if (pw > 0 && ph > 0) total += (long)ph * (1 + RowBytes(h, pw));
        }
        return total;
    }

    private static byte[] Inflate(MemoryStream idat, long expected, string name)
    {
        if (expected > Array.MaxLength) throw new PngFormatException($"{name} is too large to decode.");
        // zlib expands at most 1032-fold: a small file declaring a large image is refused before its buffer is allocated.
        if (expected > idat.Length * 1032 + 1024)
            throw new PngFormatException(
                $"{name} is truncated: its {idat.Length} bytes of compressed image data cannot hold the {expected} bytes its size requires.");
        var raw = new byte[expected];
        idat.Position = 0;
        int got;
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            got = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new PngFormatException($"{name} is corrupt: its compressed image data cannot be inflated ({Lower(e.Message)}).", e);
        }
        if (got < raw.Length)
            throw new PngFormatException($"{name} is truncated: its image data holds {got} of the {raw.Length} bytes its size requires.");
        return raw;
    }

    /// <summary>The tRNS colour key of a gray or RGB image as raw samples (gray, or r,g,b), or null.</summary>
    private static int[]? TransparentKey(Header h, ReadOnlySpan<byte> trns, string name)
    {
        if (trns.IsEmpty) return null;
        switch (h.ColorType)
        {
            case PngColorType.Grayscale:
                if (trns.Length != 2) throw new PngFormatException($"{name} has a tRNS chunk of {trns.Length} bytes; a gray image needs 2.");
                return [BinaryPrimitives.ReadUInt16BigEndian(trns)];
            case PngColorType.Rgb:
                if (trns.Length != 6) throw new PngFormatException($"{name} has a tRNS chunk of {trns.Length} bytes; an RGB image needs 6.");
                return [BinaryPrimitives.ReadUInt16BigEndian(trns), BinaryPrimitives.ReadUInt16BigEndian(trns[2..]), BinaryPrimitives.ReadUInt16BigEndian(trns[4..])];
            case PngColorType.Palette:
                return null;
            default:
                throw new PngFormatException($"{name} has a tRNS chunk, which images with an alpha channel must not have.");
        }
    }

    /// <summary>Unfilters the scanlines of one pass (or of the whole image) and writes its pixels into <paramref name="rgba"/>.</summary>
    private static void DecodePass(Span<byte> raw, Header h, int x0, int y0, int dx, int dy, int width, int height,
        ReadOnlySpan<byte> palette, ReadOnlySpan<byte> paletteAlpha, int[]? key, ushort[] rgba, string name)
    {
        int rowBytes = RowBytes(h, width), stride = rowBytes + 1;
        int bpp = Math.Max(1, h.BitsPerPixel / 8); // filter distance: bytes per complete pixel, at least 1
        Span<byte> previous = default;
        for (int y = 0; y < height; y++)
        {
            var line = raw.Slice(y * stride, stride);
            var row = line[1..];
            Unfilter(line[0], row, previous, bpp, name);
            WritePixels(row, h, width, (y0 + y * dy) * h.Width, x0, dx, palette, paletteAlpha, key, rgba, name);
            previous = row;
        }
    }

    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp, string name)
    {
        bool first = previous.IsEmpty; // the row above the first one counts as zeros
        switch (filter)
        {
            case 0:
                break;
            case 1: // Sub
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2: // Up
                if (!first) for (int i = 0; i < row.Length; i++) row[i] += previous[i];
                break;
            case 3: // Average
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= bpp ? row[i - bpp] : 0, up = first ? 0 : previous[i];
                    row[i] += (byte)((left + up) >> 1);
                }
                break;
            case 4: // Paeth
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = first ? 0 : previous[i], c = i >= bpp && !first ? previous[i - bpp] : 0;
                    row[i] += (byte)Paeth(a, b, c);
                }
                break;
            default:
                throw new PngFormatException($"{name} is corrupt: a scanline uses filter type {filter}; PNG defines 0 to 4.");
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WritePixels(ReadOnlySpan<byte> row, Header h, int width, int rowStart, int x0, int dx,
        ReadOnlySpan<byte> palette, ReadOnlySpan<byte> paletteAlpha, int[]? key, ushort[] rgba, string name)
    {
        int depth = h.BitDepth, channels = h.Channels;
        int maxSample = (1 << depth) - 1;
        for (int x = 0; x < width; x++)
        {
            int o = (rowStart + x0 + x * dx) * 4;
            switch (h.ColorType)
            {
                case PngColorType.Grayscale:
                {
                    int g = Sample(row, x, depth);
                    ushort v = Scale(g, maxSample);
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
                    rgba[o + 3] = key is not null && g == key[0] ? (ushort)0 : ushort.MaxValue;
                    break;
                }
                case PngColorType.Palette:
                {
                    int index = Sample(row, x, depth);
                    if (index * 3 >= palette.Length)
                        throw new PngFormatException($"{name} is corrupt: a pixel uses colour {index} of a palette of {palette.Length / 3}.");
                    rgba[o] = (ushort)(palette[index * 3] * 257);
                    rgba[o + 1] = (ushort)(palette[index * 3 + 1] * 257);
                    rgba[o + 2] = (ushort)(palette[index * 3 + 2] * 257);
                    rgba[o + 3] = index < paletteAlpha.Length ? (ushort)(paletteAlpha[index] * 257) : ushort.MaxValue;
                    break;
                }
                default:
                {
                    // 8 or 16 bits per sample: gray+alpha, RGB, RGBA.
                    int s0 = Sample(row, x * channels, depth), s1 = Sample(row, x * channels + 1, depth);
                    if (h.ColorType == PngColorType.GrayscaleAlpha)
                    {
                        rgba[o] = rgba[o + 1] = rgba[o + 2] = Scale(s0, maxSample);
                        rgba[o + 3] = Scale(s1, maxSample);
                        break;
                    }
                    int s2 = Sample(row, x * channels + 2, depth);
                    rgba[o] = Scale(s0, maxSample);
                    rgba[o + 1] = Scale(s1, maxSample);
                    rgba[o + 2] = Scale(s2, maxSample);
                    if (h.ColorType == PngColorType.Rgba) rgba[o + 3] = Scale(Sample(row, x * channels + 3, depth), maxSample);
                    else rgba[o + 3] = key is not null && s0 == key[0] && s1 == key[1] && s2 == key[2] ? (ushort)0 : ushort.MaxValue;
                    break;
                }
            }
        }
    }

    /// <summary>Sample number <paramref name="index"/> of a row packed at <paramref name="depth"/> bits, most significant bits first.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        8 => row[index],
        16 => (row[index * 2] << 8) | row[index * 2 + 1],
        _ => (row[index * depth >> 3] >> (8 - depth - (index * depth & 7))) & ((1 << depth) - 1),
    };

    private static string Lower(string message)
    {
        message = message.TrimEnd('.', ' ');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : message;
    }

    private static ushort Scale(int sample, int maxSample) => (ushort)((long)sample * 65535 / maxSample);
}
