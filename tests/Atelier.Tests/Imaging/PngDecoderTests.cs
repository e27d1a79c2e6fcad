using Atelier.Imaging;

namespace Atelier.Tests.Imaging;

public sealed class PngDecoderTests
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

    private static ushort Scale(int sample, int depth) => (ushort)((long)sample * 65535 / ((1 << depth) - 1));

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
        var image = PngDecoder.Decode(png);
        Assert.Equal((width, height, type, depth, interlaced), (image.Width, image.Height, image.ColorType, image.BitDepth, image.Interlaced));

        int channels = TestPngWriter.Channels(type);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int s = (y * width + x) * channels;
                var expected = type switch
                {
                    PngColorType.Grayscale => (Scale(samples[s], depth), Scale(samples[s], depth), Scale(samples[s], depth), ushort.MaxValue),
                    PngColorType.GrayscaleAlpha => (Scale(samples[s], depth), Scale(samples[s], depth), Scale(samples[s], depth), Scale(samples[s + 1], depth)),
                    PngColorType.Rgb => (Scale(samples[s], depth), Scale(samples[s + 1], depth), Scale(samples[s + 2], depth), ushort.MaxValue),
                    PngColorType.Rgba => (Scale(samples[s], depth), Scale(samples[s + 1], depth), Scale(samples[s + 2], depth), Scale(samples[s + 3], depth)),
                    _ => ((ushort)(palette![samples[s] * 3] * 257), (ushort)(palette[samples[s] * 3 + 1] * 257), (ushort)(palette[samples[s] * 3 + 2] * 257),
                          samples[s] switch { 0 => (ushort)0, 1 => (ushort)(128 * 257), _ => ushort.MaxValue }),
                };
                Assert.Equal(expected, image.Pixel(x, y));
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
        var a = PngDecoder.Decode(TestPngWriter.Encode(width, height, PngColorType.Rgb, 8, samples, interlaced: true));
        var b = PngDecoder.Decode(TestPngWriter.Encode(width, height, PngColorType.Rgb, 8, samples, interlaced: false));
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
        var samples = RandomSamples(17, 9, PngColorType.Rgba, 16, 0, seed: filter);
        var image = PngDecoder.Decode(TestPngWriter.Encode(17, 9, PngColorType.Rgba, 16, samples, onlyFilter: filter));
        for (int i = 0; i < samples.Length; i++) Assert.Equal(samples[i], image.Rgba[i]);
    }

    [Fact]
    public void Color_key_transparency_for_gray_and_rgb()
    {
        var gray = PngDecoder.Decode(TestPngWriter.Encode(3, 1, PngColorType.Grayscale, 4, [5, 6, 5], transparency: [0, 5]));
        Assert.Equal([0, 65535, 0], [gray.Pixel(0, 0).A, gray.Pixel(1, 0).A, gray.Pixel(2, 0).A]);
        var rgb = PngDecoder.Decode(TestPngWriter.Encode(2, 1, PngColorType.Rgb, 16, [1, 2, 3, 1, 2, 4], transparency: [0, 1, 0, 2, 0, 3]));
        Assert.Equal(0, rgb.Pixel(0, 0).A);
        Assert.Equal(65535, rgb.Pixel(1, 0).A);
    }

    [Fact]
    public void Ancillary_chunks_are_skipped()
    {
        var png = TestPngWriter.Encode(2, 2, PngColorType.Grayscale, 8, [1, 2, 3, 4]);
        var withText = Insert(png, "tEXt", "Comment\0hello"u8.ToArray());
        Assert.Equal(PngDecoder.Decode(png).Rgba, PngDecoder.Decode(withText).Rgba);
    }

    /// <summary>Inserts a chunk right after IHDR (8-byte signature + 25-byte IHDR chunk).</summary>
    private static byte[] Insert(byte[] png, string type, byte[] data)
    {
        var chunk = new MemoryStream();
        TestPngWriter.WriteChunk(chunk, type, data);
        return [.. png[..33], .. chunk.ToArray(), .. png[33..]];
    }

    private static PngFormatException Refused(byte[] png) => Assert.Throws<PngFormatException>(() => PngDecoder.Decode(png, "photo.png"));

    private static byte[] Valid() => TestPngWriter.Encode(5, 4, PngColorType.Rgb, 8, RandomSamples(5, 4, PngColorType.Rgb, 8, 0, 1));

    [Fact]
    public void Not_a_png_is_refused()
    {
        var e = Refused("GIF89a not a png at all"u8.ToArray());
        Assert.Equal("photo.png is not a PNG file (it does not start with the PNG signature).", e.Message);
        Refused([]);
    }

    [Fact]
    public void A_bad_crc_is_refused()
    {
        var png = Valid();
        png[20] ^= 1; // inside IHDR's data
        Assert.Contains("CRC of its IHDR chunk", Refused(png).Message);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var png = Valid();
        Assert.Contains("truncated", Refused(png[..(png.Length - 20)]).Message);
        Assert.Contains("truncated", Refused(png[..12]).Message);
        Assert.Contains("IEND", Refused(png[..^12]).Message);
    }

    [Fact]
    public void Image_data_too_short_is_refused()
    {
        // A valid zlib stream holding fewer bytes than a 5x4 RGB image needs.
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, true)) z.Write(new byte[30]);
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", compressed.ToArray()), ("IEND", [])]);
        Assert.Contains("truncated: its image data holds 30 of the 64 bytes", Refused(png).Message);
    }

    [Fact]
    public void Corrupt_compressed_data_is_refused()
    {
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", [0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x12]), ("IEND", [])]);
        var e = Refused(png);
        Assert.StartsWith("photo.png ", e.Message);
    }

    [Theory]
    [InlineData(0, 4, 8, 2, "size of 0x4")]
    [InlineData(5, 4, 3, 2, "bit depth 3")]
    [InlineData(5, 4, 16, 3, "bit depth 16 for colour type 3")]
    [InlineData(5, 4, 8, 5, "colour type 5")]
    [InlineData(8000, 5001, 8, 2, "8000x5001 pixels, more than the 40 megapixels")] // refused before any inflating
    [InlineData(65536, 65536, 8, 0, "more than the 40 megapixels")]
    public void A_bad_header_is_refused(int width, int height, int depth, int colorType, string expected)
    {
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(width, height, depth, colorType)), ("IDAT", [0x78, 0x9c, 3, 0, 0, 0, 0, 1]), ("IEND", [])]);
        Assert.Contains(expected, Refused(png).Message);
    }

    [Fact]
    public void A_small_file_declaring_a_large_image_is_refused_before_allocating_it()
    {
        // 6000x6000 RGBA 16-bit (288 MB of scanlines) declared by a file of about 60 bytes.
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(6000, 6000, 16, 6)), ("IDAT", [0x78, 0x9c, 3, 0, 0, 0, 0, 1]), ("IEND", [])]);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Refused(png);
        Assert.Contains("cannot hold the", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);
    }

    [Fact]
    public void Missing_idat_plte_or_ihdr_is_refused()
    {
        Assert.Contains("no image data", Refused(TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IEND", [])])).Message);
        Assert.Contains("without a PLTE", Refused(TestPngWriter.Encode(2, 2, PngColorType.Palette, 8, [0, 0, 0, 0])).Message);
        Assert.Contains("first chunk is IDAT", Refused(TestPngWriter.Assemble([("IDAT", [1]), ("IEND", [])])).Message);
    }

    [Fact]
    public void Unknown_critical_chunks_and_bad_filters_are_refused()
    {
        Assert.Contains("critical chunk ABCD", Refused(Insert(Valid(), "ABCD", [1, 2])).Message);
        var raw = new byte[4 * (1 + 15)];
        raw[0] = 7; // filter type 7 on the first scanline
        var compressed = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, true)) z.Write(raw);
        var png = TestPngWriter.Assemble([("IHDR", Ihdr(5, 4, 8, 2)), ("IDAT", compressed.ToArray()), ("IEND", [])]);
        Assert.Contains("filter type 7", Refused(png).Message);
    }

    [Fact]
    public void A_missing_file_is_a_png_error()
    {
        var e = Assert.Throws<PngFormatException>(() => PngDecoder.Decode("/nonexistent/photo.png"));
        Assert.Contains("/nonexistent/photo.png", e.Message);
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
