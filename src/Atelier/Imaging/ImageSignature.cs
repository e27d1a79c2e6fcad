namespace Atelier.Imaging;

/// <summary>
/// Recognises a file by its first bytes, so that a message can tell a truncated JPEG from a text file (Skia answers
/// both with "no codec") and name a known format Atelier does not read (TIFF, PDF, HEIC...) instead of calling it junk.
/// </summary>
internal static class ImageSignature
{
    /// <summary>What the first bytes say.</summary>
    /// <param name="Format">the format's name, as in messages.</param>
    /// <param name="Article">"a" or "an", to go before <paramref name="Format"/>.</param>
    /// <param name="Readable">whether <see cref="ImageDecoder"/> reads it.</param>
    public readonly record struct Match(string Format, string Article, bool Readable);

    private static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format <paramref name="data"/> starts like, or null when it starts like none we know.</summary>
    public static Match? Identify(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(Jpeg)) return new("JPEG", "a", true);
        if (data.StartsWith(Png)) return new("PNG", "a", true);
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return new("GIF", "a", true);
        if (data.StartsWith("BM"u8)) return new("BMP", "a", true);
        if (data.StartsWith("RIFF"u8) && data.Length >= 12 && data[8..12].SequenceEqual("WEBP"u8)) return new("WebP", "a", true);
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) return new("TIFF", "a", false);
        if (data.StartsWith("%PDF"u8)) return new("PDF", "a", false);
        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = data[8..12];
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return new("AVIF", "an", false);
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8)) return new("HEIC", "a", false);
        }
        return null;
    }

    /// <summary>
    /// Whether a WebP's RIFF size or a BMP's file size says the file is longer than <paramref name="data"/>: Skia calls
    /// such a file invalid rather than incomplete, and "truncated" tells the user more.
    /// </summary>
    public static bool DeclaresMoreBytes(ReadOnlySpan<byte> data, string format) => format switch
    {
        "WebP" when data.Length >= 8 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) + 8L > data.Length,
        "BMP" when data.Length >= 6 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[2..]) > (uint)data.Length,
        _ => false,
    };
}
