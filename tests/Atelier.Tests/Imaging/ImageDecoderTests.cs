using Atelier.Imaging;
using Atelier.Tests.Data;
using SkiaSharp;

namespace Atelier.Tests.Imaging;

/// <summary>Every format the decoder reads, and every way it refuses a file: one sentence naming the image.</summary>
public sealed class ImageDecoderTests
{
    private const int W = 24, H = 16;

    private static ImageFormatException Refused(byte[] data, string name) =>
        Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(data, name));

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "PNG")]
    [InlineData(SKEncodedImageFormat.Webp, "WebP")]
    public void Lossless_png_and_webp_decode_exactly(SKEncodedImageFormat format, string name)
    {
        var card = TestImages.Card(W, H);
        var image = ImageDecoder.Decode(TestImages.Encode(format, W, H, card, quality: 100), "card");
        Assert.Equal((W, H, name), (image.Width, image.Height, image.Format));
        Assert.Equal(card.Select(b => (ushort)(b * 257)), image.Rgba);
    }

    [Fact]
    public void Jpeg_decodes_within_its_loss()
    {
        var card = TestImages.Card(W, H);
        var image = ImageDecoder.Decode(TestImages.Encode(SKEncodedImageFormat.Jpeg, W, H, card), "card.jpg");
        Assert.Equal((W, H, "JPEG"), (image.Width, image.Height, image.Format));
        Assert.InRange(TestImages.MeanError(card, image.Rgba), 0, 4);
        Assert.InRange(image.Pixel(2, 2).R / 257, 10, 30); // inside the dark block
        Assert.Equal(65535, image.Pixel(W - 1, H - 1).A);
    }

    [Fact]
    public void Bmp_decodes_exactly()
    {
        var card = TestImages.Card(W - 1, H); // an odd width, so rows are padded
        var image = ImageDecoder.Decode(TestImages.Bmp(W - 1, H, card), "card.bmp");
        Assert.Equal((W - 1, H, "BMP"), (image.Width, image.Height, image.Format));
        Assert.Equal(card.Select(b => (ushort)(b * 257)), image.Rgba);
    }

    [Fact]
    public void Gif_decodes_its_palette_and_transparency()
    {
        byte[] palette = [0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10];
        var indices = new byte[7 * 5];
        for (int i = 0; i < indices.Length; i++) indices[i] = (byte)(i * 7 % 4);
        var image = ImageDecoder.Decode(TestImages.Gif(7, 5, indices, palette, transparentZero: true), "card.gif");
        Assert.Equal((7, 5, "GIF"), (image.Width, image.Height, image.Format));
        for (int i = 0; i < indices.Length; i++)
        {
            var (r, g, b, a) = image.Pixel(i % 7, i / 7);
            int k = indices[i];
            if (k == 0) Assert.Equal(0, a);
            else Assert.Equal((palette[k * 3] * 257, palette[k * 3 + 1] * 257, palette[k * 3 + 2] * 257, 65535), (r, g, b, (int)a));
        }
    }

    [Fact]
    public void Png_alpha_stays_straight()
    {
        var rgba = TestImages.Card(4, 4);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = (byte)(i * 16 % 256);
        var image = ImageDecoder.Decode(TestImages.Encode(SKEncodedImageFormat.Png, 4, 4, rgba), "alpha.png");
        for (int i = 0; i < rgba.Length; i += 4)
            if (rgba[i + 3] == 255 || rgba[i + 3] == 0) Assert.Equal(rgba[i + 3] * 257, image.Rgba[i + 3]);
            else Assert.InRange(image.Rgba[i] / 257 - rgba[i], -1, 1); // not premultiplied (Skia rounds through premul)
    }

    [Theory]
    [InlineData(6, 16, 24)] // RightTop: a phone held upright, stored on its side; seen rotated a quarter clockwise
    [InlineData(3, 24, 16)] // BottomRight: upside down
    [InlineData(8, 16, 24)]
    public void Jpeg_exif_orientation_is_applied(ushort orientation, int seenWidth, int seenHeight)
    {
        var card = TestImages.Card(W, H); // dark block top-left
        var jpeg = TestImages.WithExifOrientation(TestImages.Encode(SKEncodedImageFormat.Jpeg, W, H, card), orientation);
        var image = ImageDecoder.Decode(jpeg, "phone.jpg");
        Assert.Equal((seenWidth, seenHeight), (image.Width, image.Height));
        // Where the stored top-left dark block is seen: 6 puts it top-right, 3 bottom-right, 8 bottom-left.
        var (x, y) = orientation switch { 6 => (seenWidth - 3, 2), 3 => (seenWidth - 3, seenHeight - 3), _ => (2, seenHeight - 3) };
        Assert.InRange(image.Pixel(x, y).R / 257, 0, 40);
        Assert.InRange(image.Pixel(seenWidth - 1 - x, seenHeight - 1 - y).B / 257, 150, 210);
    }

    [Fact]
    public void A_truncated_jpeg_is_refused_not_decoded_in_part()
    {
        var noise = new byte[64 * 64 * 4];
        new Random(3).NextBytes(noise);
        for (int i = 3; i < noise.Length; i += 4) noise[i] = 255;
        var jpeg = TestImages.Encode(SKEncodedImageFormat.Jpeg, 64, 64, noise);
        var e = Refused(jpeg[..(jpeg.Length * 2 / 3)], "photo.jpg");
        Assert.Equal("photo.jpg is truncated: its JPEG data ends before the image is complete.", e.Message);
        Assert.Equal("photo.jpg is truncated: its JPEG header is cut off.", Refused(jpeg[..100], "photo.jpg").Message);
    }

    [Fact]
    public void A_truncated_png_is_refused_not_decoded_in_part()
    {
        var noise = new byte[64 * 64 * 4];
        new Random(4).NextBytes(noise);
        var png = TestImages.Encode(SKEncodedImageFormat.Png, 64, 64, noise);
        var e = Refused(png[..(png.Length * 2 / 3)], "photo.png");
        Assert.Equal("photo.png is truncated: its PNG data ends before the image is complete.", e.Message);
        Assert.StartsWith("photo.png is truncated", Refused(png[..20], "photo.png").Message);
    }

    [Fact]
    public void A_truncated_webp_gif_or_bmp_is_refused()
    {
        var card = TestImages.Card(32, 32);
        var webp = TestImages.Encode(SKEncodedImageFormat.Webp, 32, 32, card, quality: 100);
        var bmp = TestImages.Bmp(32, 32, card);
        var gif = TestImages.Gif(32, 32, new byte[32 * 32], [0, 0, 0, 255, 255, 255, 1, 2, 3, 4, 5, 6]);
        foreach (var (data, name) in new[] { (webp, "card.webp"), (bmp, "card.bmp"), (gif, "card.gif") })
            Assert.StartsWith($"{name} is truncated: ", Refused(data[..(data.Length / 2)], name).Message);
    }

    /// <summary>A PNG header declaring the size, with a token IDAT: a few dozen bytes.</summary>
    private static byte[] PngDeclaring(int width, int height) => TestPngWriter.Assemble(
        [("IHDR", PngConformanceTests.Ihdr(width, height, 8, 6)), ("IDAT", [0x78, 0x9c, 3, 0, 0, 0, 0, 1]), ("IEND", [])]);

    [Fact]
    public void Decompression_bombs_are_refused_from_their_header_before_decoding()
    {
        var jpeg = TestImages.WithJpegSize(TestImages.Encode(SKEncodedImageFormat.Jpeg, 8, 8, TestImages.Card(8, 8)), 65_000, 65_000);
        var bmp = TestImages.Bmp(2, 2, TestImages.Card(2, 2));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 100_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 100_000);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var png = Refused(PngDeclaring(100_000, 100_000), "big.png");
        var jpg = Refused(jpeg, "big.jpg");
        var bm = Refused(bmp, "big.bmp");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal("big.png declares 100,000x100,000 pixels (10,000 megapixels), more than the 40 megapixels Atelier decodes.", png.Message);
        Assert.Equal("big.jpg declares 65,000x65,000 pixels (4,225 megapixels), more than the 40 megapixels Atelier decodes.", jpg.Message);
        Assert.StartsWith("big.bmp is a corrupt BMP file", bm.Message); // Skia's BMP codec refuses such a header itself
        Assert.True(allocated < 10_000_000, $"{allocated:N0} bytes allocated to refuse three bombs.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{clock.Elapsed} to refuse three bombs.");
    }

    [Fact]
    public void Just_over_the_limits_is_refused_and_a_strip_too()
    {
        Assert.Equal("big.png declares 50,000x50,000 pixels (2,500 megapixels), more than the 40 megapixels Atelier decodes.",
            Refused(PngDeclaring(50_000, 50_000), "big.png").Message);
        Assert.Contains("8,000x5,001 pixels (40.01 megapixels)", Refused(PngDeclaring(8000, 5001), "big.png").Message);
        Assert.Equal("strip.png declares 30,000x10 pixels, a side longer than the 20,000 pixels Atelier decodes.",
            Refused(PngDeclaring(30_000, 10), "strip.png").Message);
    }

    [Fact]
    public void Text_empty_and_other_formats_are_not_images()
    {
        Assert.Equal("notes.txt is not an image Atelier can read (JPEG, PNG, WebP, BMP or GIF).",
            Refused("Shopping list: trousers, a pullover, sandals.\n"u8.ToArray(), "notes.txt").Message);
        Assert.Equal("short.txt is not an image Atelier can read (JPEG, PNG, WebP, BMP or GIF).", Refused("hi"u8.ToArray(), "short.txt").Message);
        Assert.Equal("empty.png is empty (0 bytes), not an image.", Refused([], "empty.png").Message);
        Assert.Equal("paper.pdf is a PDF file, not an image Atelier can read (JPEG, PNG, WebP, BMP or GIF).",
            Refused("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj"u8.ToArray(), "paper.pdf").Message);
        Assert.Equal("scan.tif is a TIFF file, not an image Atelier can read (JPEG, PNG, WebP, BMP or GIF).",
            Refused([(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0], "scan.tif").Message);
    }

    [Fact]
    public void A_folder_and_a_missing_file_are_refused_by_path()
    {
        string folder = TestData.TempDirectory();
        Assert.Equal($"{folder} is a folder, not an image.", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(folder)).Message);
        var missing = Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode("/nonexistent/photo.jpg"));
        Assert.StartsWith("Cannot read /nonexistent/photo.jpg", missing.Message);
    }

    [Fact]
    public void A_file_too_large_to_be_an_image_is_not_read()
    {
        string path = Path.Combine(TestData.TempDirectory(), "huge.bmp");
        using (var file = File.Create(path)) file.SetLength(300L << 20); // sparse: no disk written, nothing read
        Assert.Equal($"{path} is 300 MB, more than the 256 MB Atelier reads for an image.",
            Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(path)).Message);
        File.Delete(path);
    }

    [Fact]
    public void An_animated_gif_gives_its_first_frame()
    {
        byte[] palette = [0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10];
        var first = TestImages.Gif(3, 2, [1, 1, 1, 1, 1, 1], palette);
        var second = TestImages.Gif(3, 2, [2, 2, 2, 2, 2, 2], palette);
        const int descriptor = 6 + 7 + 12; // signature, screen descriptor, 4-entry palette
        var animated = (byte[])[.. first[..^1], 0x21, 0xF9, 4, 0, 10, 0, 0, 0, .. second[descriptor..]];
        using (var codec = SKCodec.Create(new SKMemoryStream(animated))) Assert.Equal(2, codec.FrameCount);
        var image = ImageDecoder.Decode(animated, "anim.gif");
        Assert.Equal(Enumerable.Repeat((ushort)65535, 3 * 2 * 4), image.Rgba); // all white (entry 1), not red (entry 2)
    }

    [Fact]
    public void A_gif_frame_smaller_than_its_canvas_leaves_the_rest_transparent()
    {
        var gif = TestImages.Gif(2, 2, [1, 1, 1, 1], [0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10]);
        gif[6] = gif[8] = 4; // a 4x4 canvas...
        gif[26] = gif[28] = 1; // ...with the 2x2 frame at (1, 1)
        var image = ImageDecoder.Decode(gif, "small-frame.gif");
        Assert.Equal((4, 4), (image.Width, image.Height));
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(x is 1 or 2 && y is 1 or 2 ? (ushort)65535 : (ushort)0, image.Pixel(x, y).A);
    }

    [Fact]
    public void A_file_is_named_by_its_path()
    {
        string path = Path.Combine(TestData.TempDirectory(), "card.webp");
        File.WriteAllBytes(path, TestImages.Encode(SKEncodedImageFormat.Webp, W, H, TestImages.Card(W, H)));
        var image = ImageDecoder.Decode(path);
        Assert.Equal((path, "WebP", W), (image.Name, image.Format, image.Width));
        File.WriteAllBytes(path, TestImages.Encode(SKEncodedImageFormat.Webp, W, H, TestImages.Card(W, H))[..40]);
        Assert.StartsWith($"{path} is ", Assert.Throws<ImageFormatException>(() => ImageDecoder.Decode(path)).Message);
    }

    [Fact]
    public void Many_threads_decode_at_once_and_agree_with_one()
    {
        var card = TestImages.Card(W, H);
        byte[][] files =
        [
            TestImages.Encode(SKEncodedImageFormat.Jpeg, W, H, card),
            TestImages.Encode(SKEncodedImageFormat.Png, W, H, card),
            TestImages.Encode(SKEncodedImageFormat.Webp, W, H, card, quality: 80),
            TestImages.Bmp(W, H, card),
            TestImages.Gif(4, 4, new byte[16], [0, 0, 0, 255, 255, 255, 1, 2, 3, 4, 5, 6]),
        ];
        var expected = files.Select(f => ImageDecoder.Decode(f, "one").Rgba).ToArray();
        var truncated = files[0][..(files[0].Length / 2)];
        int mismatches = 0, refusals = 0;
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            int k = i % (files.Length + 1);
            if (k == files.Length)
            {
                try { ImageDecoder.Decode(truncated, "half.jpg"); }
                catch (ImageFormatException) { Interlocked.Increment(ref refusals); }
                return;
            }
            if (!ImageDecoder.Decode(files[k], "many").Rgba.AsSpan().SequenceEqual(expected[k])) Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
        Assert.Equal(2000 / (files.Length + 1), refusals);
    }
}
