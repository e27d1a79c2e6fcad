using System.Globalization;
using SkiaSharp;

namespace Atelier.Imaging;

/// <summary>
/// Decodes an image file (JPEG, PNG, WebP, BMP, or a GIF's first frame) into RGBA pixels through SkiaSharp's
/// <see cref="SKCodec"/>, for `atelier predict` and the server alike. The declared size is checked before any pixel is
/// decoded, the codec's result is checked after (Skia hands back a partial image from a truncated file otherwise), and
/// a JPEG's EXIF orientation is applied. Every failure is an <see cref="ImageFormatException"/> of one sentence naming
/// the image. Safe to call from many threads at once: each call has its own stream, codec and buffers.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Refuse larger images before decoding anything: a photo for a 28x28 classifier never needs more, its RGBA16 copy
    /// is already 320 MB, and a file of a few hundred bytes can declare billions of pixels (a decompression bomb).
    /// </summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>Refuse a side longer than this even within <see cref="MaxPixels"/>: a 40-megapixel strip is no photo.</summary>
    public const int MaxSide = 20_000;

    /// <summary>
    /// Refuse larger files before reading them whole: even an uncompressed 40-megapixel BMP is 160 MB, so anything
    /// bigger is not an image we would decode, and reading it would only cost memory.
    /// </summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>The formats named in messages, as a user would list them.</summary>
    public const string Formats = "JPEG, PNG, WebP, BMP or GIF";

    /// <param name="path">the image file; messages name it as given.</param>
    public static DecodedImage Decode(string path)
    {
        if (Directory.Exists(path)) throw new ImageFormatException($"{path} is a folder, not an image.");
        byte[] data;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ImageFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{path} is {length / (double)(1 << 20):N0} MB, more than the {MaxFileBytes >> 20} MB Atelier reads for an image."));
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageFormatException($"Cannot read {path}: {e.Message}", e);
        }
        return Decode(data, path);
    }

    /// <param name="data">the file's bytes.</param>
    /// <param name="name">names the image in messages (a file name, "the uploaded image").</param>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, string name)
    {
        if (data.IsEmpty) throw new ImageFormatException($"{name} is empty (0 bytes), not an image.");
        var signature = ImageSignature.Identify(data);
        if (signature is { Readable: false })
            throw new ImageFormatException($"{name} is {signature.Value.Article} {signature.Value.Format} file, not an image Atelier can read ({Formats}).");

        using var skData = SKData.CreateCopy(data);
        using var stream = new SKMemoryStream(skData);
        using var codec = SKCodec.Create(stream, out var created);
        if (codec is null)
        {
            // Skia found no codec: either the bytes are no image at all, or a known format's header is cut or broken.
            if (signature is null) throw new ImageFormatException($"{name} is not an image Atelier can read ({Formats}).");
            throw new ImageFormatException(created == SKCodecResult.IncompleteInput || ImageSignature.DeclaresMoreBytes(data, signature.Value.Format)
                ? $"{name} is truncated: its {signature.Value.Format} header is cut off."
                : $"{name} is a corrupt {signature.Value.Format} file: its header cannot be read ({Describe(created)}).");
        }
        string format = FormatName(codec.EncodedFormat)
            ?? throw new ImageFormatException($"{name} is a {codec.EncodedFormat} image, not one Atelier can read ({Formats}).");

        var declared = codec.Info;
        CheckSize(declared.Width, declared.Height, name, format);

        var info = new SKImageInfo(declared.Width, declared.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Zeroed, not uninitialised: a GIF frame smaller than its canvas may leave pixels unwritten, and in the server
        // those bytes would otherwise be another request's.
        var pixels = new byte[info.BytesSize64];
        var result = codec.GetPixels(info, pixels);
        if (result != SKCodecResult.Success)
            throw new ImageFormatException(result switch
            {
                _ when result == SKCodecResult.IncompleteInput || ImageSignature.DeclaresMoreBytes(data, format) => $"{name} is truncated: its {format} data ends before the image is complete.",
                SKCodecResult.ErrorInInput or SKCodecResult.InvalidInput => $"{name} is a corrupt {format} file: its image data has errors.",
                _ => $"{name} could not be decoded as {format} ({Describe(result)}).",
            });

        var rgba = new ushort[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) rgba[i] = (ushort)(pixels[i] * 257);
        var (width, height, oriented) = ImageOrientation.Apply(codec.EncodedOrigin, declared.Width, declared.Height, rgba);
        return new DecodedImage(width, height, oriented) { Name = name, Format = format };
    }

    private static void CheckSize(int width, int height, string name, string format)
    {
        if (width < 1 || height < 1)
            throw new ImageFormatException($"{name} is a corrupt {format} file: it declares {width}x{height} pixels.");
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
        {
            double megapixels = pixels / 1e6;
            throw new ImageFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{name} declares {width:N0}x{height:N0} pixels ({megapixels.ToString(megapixels >= 1000 ? "N0" : "0.##", CultureInfo.InvariantCulture)} megapixels), more than the {MaxPixels / 1_000_000} megapixels Atelier decodes."));
        }
        if (width > MaxSide || height > MaxSide)
            throw new ImageFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{name} declares {width:N0}x{height:N0} pixels, a side longer than the {MaxSide:N0} pixels Atelier decodes."));
    }

    /// <summary>The formats Atelier accepts, by name; null for the others Skia knows (ICO, WBMP, ...), so that a
    /// stray byte pattern Skia happens to recognise does not become an accepted "image".</summary>
    private static string? FormatName(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Jpeg => "JPEG",
        SKEncodedImageFormat.Png => "PNG",
        SKEncodedImageFormat.Webp => "WebP",
        SKEncodedImageFormat.Bmp => "BMP",
        SKEncodedImageFormat.Gif => "GIF",
        _ => null,
    };

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "incomplete input",
        SKCodecResult.ErrorInInput => "error in input",
        SKCodecResult.InvalidInput => "invalid input",
        SKCodecResult.Unimplemented => "a variant the decoder does not implement",
        _ => result.ToString(),
    };
}
