using System.Buffers.Binary;
using System.IO.Compression;
using Atelier.Imaging;
using Atelier.Tests.Imaging;
using SkiaSharp;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Mutated small images of every format through <see cref="ImageDecoder"/> and the dataset preprocessor: only
/// <see cref="ImageFormatException"/> and <see cref="BlankImageException"/> may come out. The PNG seeds cover every
/// colour type; half their cases repair the chunk CRCs after mutating, and some mutate the inflated scanlines and
/// recompress them, so that libpng's checks behind the CRC and zlib are reached too. Header-field overwrites use each
/// format's byte order (big-endian PNG and JPEG, little-endian WebP, BMP and GIF).
/// </summary>
public sealed class ImageFuzzTests
{
    private static int[] Samples(int count, int max, int salt)
    {
        var samples = new int[count];
        for (int i = 0; i < count; i++) samples[i] = (i * 37 + salt * 11 + (i / 5) * 101) % (max + 1);
        return samples;
    }

    private static byte[][] PngSeeds() =>
    [
        TestPngWriter.Encode(6, 5, PngColorType.Grayscale, 8, Samples(30, 255, 1)),
        TestPngWriter.Encode(5, 4, PngColorType.Rgb, 16, Samples(60, 65535, 2), interlaced: true),
        TestPngWriter.Encode(7, 3, PngColorType.Palette, 4, Samples(21, 3, 3), palette: [0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10], transparency: [255, 0, 128]),
        TestPngWriter.Encode(4, 4, PngColorType.GrayscaleAlpha, 8, Samples(32, 255, 4)),
        TestPngWriter.Encode(9, 9, PngColorType.Rgba, 8, Samples(324, 255, 5), interlaced: true),
        TestPngWriter.Encode(10, 3, PngColorType.Grayscale, 1, Samples(30, 1, 6)),
        TestPngWriter.Encode(3, 6, PngColorType.Rgb, 8, Samples(54, 255, 7), transparency: [0, 0, 0, 0, 0, 0]),
    ];

    /// <summary>The other formats' seeds with the byte order of their header fields.</summary>
    private static (string Format, byte[] File, bool BigEndian)[] OtherSeeds()
    {
        var card = TestImages.Card(12, 9);
        var gifIndices = Samples(10 * 6, 3, 8).Select(v => (byte)v).ToArray();
        return
        [
            ("JPEG", TestImages.Encode(SKEncodedImageFormat.Jpeg, 12, 9, card, quality: 80), true),
            ("JPEG", TestImages.WithExifOrientation(TestImages.Encode(SKEncodedImageFormat.Jpeg, 8, 8, TestImages.Card(8, 8), quality: 50), 6), true),
            ("WebP", TestImages.Encode(SKEncodedImageFormat.Webp, 12, 9, card, quality: 70), false),
            ("WebP", TestImages.Encode(SKEncodedImageFormat.Webp, 12, 9, card, quality: 100), false),
            ("BMP", TestImages.Bmp(7, 5, TestImages.Card(7, 5)), false),
            ("GIF", TestImages.Gif(10, 6, gifIndices, [0, 0, 0, 255, 255, 255, 200, 10, 10, 10, 200, 10], transparentZero: true), false),
        ];
    }

    [Fact]
    public void Mutated_pngs_give_only_image_or_blank_image_errors()
    {
        var seeds = PngSeeds();
        FuzzRun.Run("ImageDecoder (PNG) + DatasetImagePreprocessor", (random, log) =>
        {
            var mutator = new Mutator(random);
            int pick = random.Next(seeds.Length), other = random.Next(seeds.Length);
            log.Add($"seed png {pick}");
            byte[] png;
            if (random.Next(4) == 0)
            {
                png = MutateScanlines(seeds[pick], mutator, log);
            }
            else
            {
                png = mutator.MutateSeveral(seeds[pick], seeds[other], log, fieldArea: 33);
                if (random.Next(2) == 0)
                {
                    FixCrcs(png);
                    log.Add("CRCs repaired");
                }
            }
            var image = ImageDecoder.Decode(png, "fuzz.png");
            DatasetImagePreprocessor.ToDatasetImage(image);
        }, e => e is ImageFormatException or BlankImageException);
    }

    [Fact]
    public void Mutated_jpeg_webp_bmp_and_gif_give_only_image_or_blank_image_errors()
    {
        var seeds = OtherSeeds();
        FuzzRun.Run("ImageDecoder (JPEG, WebP, BMP, GIF) + DatasetImagePreprocessor", (random, log) =>
        {
            var mutator = new Mutator(random);
            int pick = random.Next(seeds.Length), other = random.Next(seeds.Length);
            var (format, file, bigEndian) = seeds[pick];
            log.Add($"seed {format} {pick}");
            var mutated = mutator.MutateSeveral(file, seeds[other].File, log, fieldArea: 40, bigEndian: bigEndian);
            var image = ImageDecoder.Decode(mutated, "fuzz." + format.ToLowerInvariant());
            DatasetImagePreprocessor.ToDatasetImage(image);
        }, e => e is ImageFormatException or BlankImageException);
    }

    /// <summary>Inflates the IDAT data, mutates the scanlines (filter bytes, samples, length), deflates them again.</summary>
    private static byte[] MutateScanlines(byte[] png, Mutator mutator, List<string> log)
    {
        var chunks = Chunks(png);
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress)) z.CopyTo(inflated);
        log.Add("scanlines:");
        var raw = mutator.MutateSeveral(inflated.ToArray(), inflated.ToArray(), log, fieldArea: 64);
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        var rebuilt = chunks.Where(c => c.Type != "IDAT").ToList();
        rebuilt.Insert(rebuilt.FindIndex(c => c.Type == "IEND"), ("IDAT", deflated.ToArray()));
        return TestPngWriter.Assemble(rebuilt);
    }

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            chunks.Add((System.Text.Encoding.ASCII.GetString(png, pos + 4, 4), png[(pos + 8)..(pos + 8 + length)]));
            pos += 12 + length;
        }
        return chunks;
    }

    /// <summary>Recomputes the CRC of every chunk whose declared length fits in the file.</summary>
    private static void FixCrcs(byte[] png)
    {
        for (long pos = 8; pos + 12 <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan((int)pos));
            if (pos + 12 + length > png.Length) return;
            var typeAndData = png.AsSpan((int)pos + 4, 4 + (int)length);
            uint crc = Crc32.Append(Crc32.Compute(typeAndData[..4]), typeAndData[4..]);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan((int)(pos + 8 + length)), crc);
            pos += 12 + length;
        }
    }
}
