using Atelier.Imaging;

namespace Atelier.Tests.Imaging;

/// <summary>
/// PNG conformance of the decoder (Skia's libpng underneath): every colour type, bit depth, filter and interlacing
/// from our own independent writer, and refusals of broken files. Skia decodes to 8 bits per sample, so 16-bit
/// samples are compared at 8-bit precision.
/// </summary>
public sealed class PngConformanceTests
{
    public static TheoryData<PngColorType, int, bool> AllFormats()
    {
        var data = new TheoryData<PngColorType, int, bool>();
        foreach (bool interlaced in new[] { false, true })
        {
            foreach (int depth in new[] { 1, 2, 4, 8, 16 }) data.Add(PngColorType.Grayscale, depth, interlaced);
            foreach (int depth in new[] { 1, 2, 4, 8 }) data.Add(PngColorType.Palette, depth, interlaced);
            foreach (var type in new[] { PngColorType.Rgb, PngColorType.GrayscaleAlpha, PngColorType.Rgba })
                foreach (int depth in new[] { 8, 16 }) data.Add(type, depth, interlaced);
        }
        return data;
    }

    /// <summary>Random samples for a width×height image (odd sizes so Adam7 passes and bit packing have ragged ends).</summary>
    private static int[] RandomSamples(int width, int height, PngColorType type, int depth, int paletteSize, int seed)
    {
        var random = new Random(seed);
        int channels = TestPngWriter.Channels(type);
        var samples = new int[width * height * channels];
        int max = type == PngColorType.Palette ? paletteSize : 1 << depth;
        for (int i = 0; i < samples.Length; i++) samples[i] = random.Next(max);
        return samples;
    }

    /// <summary>A sample of <paramref name="depth"/> bits as the decoder's 16-bit value is expected to be, at 8-bit precision.</summary>
    private static int Expected8(int sample, int depth) => (int)Math.Round(sample * 255.0 / ((1 << depth) - 1));

    private static void Near(int expected8, ushort actual16, string what) =>
        Assert.True(Math.Abs(expected8 - actual16 / 257.0) <= 1.0, $"{what}: expected {expected8} (8-bit), got {actual16 / 257.0:0.##}.");

    private static DecodedImage Decode(byte[] png) => ImageDecoder.Decode(png, "test.png");

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void Decodes_every_colour_type_depth_and_interlace(PngColorType type, int depth, bool interlaced)
    {
        const int width = 13, height = 11;
        int paletteSize = Math.Min(1 << depth, 7);
        var samples = RandomSamples(width, height, type, depth, paletteSize, seed: depth * 10 + (int)type);
        byte[]? palette = null, trns = null;
        if (type == PngColorType.Palette)
        {
            palette = new byte[paletteSize * 3];
            for (int i = 0; i < palette.Length; i++) palette[i] = (byte)(i * 37 + 11);
            trns = [0, 128]; // entry 0 transparent, entry 1 half, the rest opaque
        }
        var png = TestPngWriter.Encode(width, height, type, depth, samples, interlaced, palette, trns);
        var image = Decode(png);
        Assert.Equal((width, height, "PNG"), (image.Width, image.Height, image.Format));

        int channels = TestPngWriter.Channels(type);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int s = (y * width + x) * channels;
                var (r, g, b, a) = type switch
                {
                    PngColorType.Grayscale => (Expected8(samples[s], depth), Expected8(samples[s], depth), Expected8(samples[s], depth), 255),
                    PngColorType.GrayscaleAlpha => (Expected8(samples[s], depth), Expected8(samples[s], depth), Expected8(samples[s], depth), Expected8(samples[s + 1], depth)),
                    PngColorType.Rgb => (Expected8(samples[s], depth), Expected8(samples[s + 1], depth), Expected8(samples[s + 2], depth), 255),
                    PngColorType.Rgba => (Expected8(samples[s], depth), Expected8(samples[s + 1], depth), Expected8(samples[s + 2], depth), Expected8(samples[s + 3], depth)),
                    _ => (palette![samples[s] * 3], palette[samples[s] * 3 + 1], palette[samples[s] * 3 + 2], samples[s] switch { 0 => 0, 1 => 128, _ => 255 }),
                };
                var actual = image.Pixel(x, y);
                string at = $"({x}, {y})";
                Near(a, actual.A, $"alpha at {at}");
                if (a == 0) continue; // the colour of a fully transparent pixel is nobody's business
                Near(r, actual.R, $"red at {at}");
                Near(g, actual.G, $"green at {at}");
                Near(b, actual.B, $"blue at {at}");
            }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 9)]
    [InlineData(9, 1)]
    [InlineData(3, 2)]
    public void Tiny_interlaced_images_with_empty_passes_decode(int width, int height)
    {
        var samples = RandomSamples(width, height, PngColorType.Rgb, 8, 0, seed: width * 31 + height);
        var a = Decode(TestPngWriter.Encode(width, height, PngColorType.Rgb, 8, samples, interlaced: true));
        var b = Decode(TestPngWriter.Encode(width, height, PngColorType.Rgb, 8, samples, interlaced: false));
        Assert.Equal(b.Rgba, a.Rgba);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Each_filter_alone_decodes(int filter)
    {
        var samples = RandomSamples(17, 9, PngColorType.Rgb, 8, 0, seed: filter);
        var image = Decode(TestPngWriter.Encode(17, 9, PngColorType.Rgb, 8, samples, onlyFilter: filter));
        for (int i = 0, o = 0; i < samples.Length; i += 3, o += 4)
            Assert.Equal([samples[i] * 257, samples[i + 1] * 257, samples[i + 2] * 257, 65535], image.Rgba[o..(o + 4)].Select(v => (int)v));
    }

    [Fact]
    public void Color_key_transparency_for_gray_and_rgb()
    {
        var gray = Decode(TestPngWriter.Encode(3, 1, PngColorType.Grayscale, 4, [5, 6, 5], transparency: [0, 5]));
        Assert.Equal([0, 65535, 0], [gray.Pixel(0, 0).A, gray.Pixel(1, 0).A, gray.Pixel(2, 0).A]);
        var rgb = Decode(TestPngWriter.Encode(2, 1, PngColorType.Rgb, 8, [1, 2, 3, 1, 2, 4], transparency: [0, 1, 0, 2, 0, 3]));
        Assert.Equal(0, rgb.Pixel(0, 0).A);
        Assert.Equal(65535, rgb.Pixel(1, 0).A);
    }

    [Fact]
    public void Ancillary_chunks_are_skipped()
    {
        var png = TestPngWriter.Encode(2, 2, PngColorType.Grayscale, 8, [1, 2, 3, 4]);
        var withText = Insert(png, "tEXt", "Comment\0hello"u8.ToArray());
        Assert.Equal(Decode(png).Rgba, Decode(withText).Rgba);
    }

    /// <summary>Inserts a chunk right after IHDR (8-byte signature + 25-byte IHDR chunk).</summary>
    private static byte[] Insert(byte[] png, string type, byte[] data)
    {
        var chunk = new MemoryStream();
        TestPngWriter.WriteChunk(chunk, type, data);
        return [.. png[..33], .. chunk.ToArray(), .. png[33..]];
    }

    /// <summary>Refused with one sentence that names the image.</summary>
    private static ImageFormatException Refused(byte[] png)
    {
        var e = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(png, "photo.png"));
        Assert.StartsWith("photo.png ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private static byte[] Valid() => TestPngWriter.Encode(5, 4, PngColorType.Rgb, 8, RandomSamples(5, 4, PngColorType.Rgb, 8, 0, 1));

    [Fact]
    public void A_bad_crc_in_the_header_is_refused()
    {
        var png = Valid();
        png[20] ^= 1; // inside IHDR's data
        Refused(png);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        // Cutting only IEND and zlib's checksum leaves every pixel in place: libpng (rightly) decodes that.
        var png = TestPngWriter.Encode(16, 16, PngColorType.Rgb, 8, RandomSamples(16, 16, PngColorType.Rgb, 8, 0, 2));
        Assert.Contains("truncated", Refused(png[..(png.Length / 2)]).Message);
        Assert.Contains("truncated", Refused(png[..12]).Message);
        Assert.Contains("truncated", Refused(png[..30]).Message);
    }

    [Fact]
    public void Image_data_too_short_is_refused()
    {
        // A valid zlib stream holding fewer bytes than a 5x4 RGB image needs.
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, true)) z.Write(new byte[30]);
        Refused(TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", compressed.ToArray()), ("IEND", [])]));
    }

    [Fact]
    public void Corrupt_compressed_data_is_refused()
    {
        Refused(TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", [0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x12]), ("IEND", [])]));
    }

    [Theory]
    [InlineData(0, 4, 8, 2)]
    [InlineData(5, 4, 3, 2)]
    [InlineData(5, 4, 16, 3)]
    [InlineData(5, 4, 8, 5)]
    public void A_bad_header_is_refused(int width, int height, int depth, int colorType)
    {
        Refused(TestPngWriter.Assemble([("IHDR", Ihdr(width, height, depth, colorType)), ("IDAT", [0x78, 0x9c, 3, 0, 0, 0, 0, 1]), ("IEND", [])]));
    }

    [Fact]
    public void A_small_file_declaring_a_large_image_within_the_limit_is_refused_without_allocating_much_more()
    {
        // 6000x6000 RGBA 16-bit declared by a file of about 60 bytes: within 40 megapixels, so the buffer is made
        // (144 MB of RGBA8) and the codec's result refuses the missing data.
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(6000, 6000, 16, 6)), ("IDAT", [0x78, 0x9c, 3, 0, 0, 0, 0, 1]), ("IEND", [])]);
        Assert.Contains("truncated", Refused(png).Message);
    }

    [Fact]
    public void Missing_idat_plte_or_ihdr_is_refused()
    {
        Refused(TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IEND", [])]));
        Refused(TestPngWriter.Encode(2, 2, PngColorType.Palette, 8, [0, 0, 0, 0]));
        Refused(TestPngWriter.Assemble([("IDAT", [1]), ("IEND", [])]));
    }

    [Fact]
    public void Bad_filters_are_refused()
    {
        // (An unknown critical chunk, which the old decoder refused, libpng as Skia configures it skips: harmless.)
        var raw = new byte[4 * (1 + 15)];
        raw[0] = 7; // filter type 7 on the first scanline
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, true)) z.Write(raw);
        Refused(TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", compressed.ToArray()), ("IEND", [])]));
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    internal static byte[] Ihdr(int width, int height, int depth, int colorType)
    {
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)depth;
        header[9] = (byte)colorType;
        return header;
    }
}
