using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Data;

/// <summary>The images of an IDX file: <see cref="Count"/> images of Rows×Cols bytes, row-major, kept as bytes.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Cols);

/// <summary>
/// Reads IDX files (LeCun's MNIST format): big-endian magic 0x0000_08_NN (unsigned bytes, NN dimensions), the
/// dimension sizes, then the data. Gzip is detected by its magic (1f 8b), so "x.gz" and "x" both work.
/// Every check that fails throws <see cref="DataFileException"/> naming the file.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    public static IdxImages ReadImages(string path) => ReadImages(path, out _);

    /// <param name="path">the IDX file, gzipped or not.</param>
    /// <param name="content">the decompressed length and SHA-256 of the file, hashed as it was read.</param>
    public static IdxImages ReadImages(string path, out IdxContent content)
    {
        using var reader = IdxStream.Open(path);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(reader, header, ImagesMagic, "images");
        int count = Dimension(header, 4, path, "image count");
        int rows = Dimension(header, 8, path, "row count");
        int cols = Dimension(header, 12, path, "column count");
        if (rows == 0 || cols == 0)
            throw new DataFileException($"{path} declares images of {rows}x{cols} pixels; rows and columns must be at least 1.");
        // Three factors below 2^31 can overflow a long: bound the product before forming it.
        long perImage = (long)rows * cols;
        if (perImage > Array.MaxLength || (count > 0 && perImage > Array.MaxLength / count))
            throw new DataFileException($"{path} declares {count} images of {rows}x{cols} pixels, more than this reader accepts (2 GB); the header is probably corrupt.");
        long size = count * perImage;
        CheckLength(reader, 16 + size);
        var pixels = new byte[size];
        ReadBody(reader, pixels, 16);
        content = reader.Content();
        return new IdxImages(pixels, count, rows, cols);
    }

    public static byte[] ReadLabels(string path) => ReadLabels(path, out _);

    /// <param name="path">the IDX file, gzipped or not.</param>
    /// <param name="content">the decompressed length and SHA-256 of the file, hashed as it was read.</param>
    public static byte[] ReadLabels(string path, out IdxContent content)
    {
        using var reader = IdxStream.Open(path);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(reader, header, LabelsMagic, "labels");
        int count = Dimension(header, 4, path, "label count");
        if (count > Array.MaxLength)
            throw new DataFileException($"{path} declares {count} labels, more than this reader accepts (2 GB); the header is probably corrupt.");
        CheckLength(reader, 8 + (long)count);
        var labels = new byte[count];
        ReadBody(reader, labels, 8);
        content = reader.Content();
        return labels;
    }

    private static void ReadHeader(IdxStream reader, Span<byte> header, int expectedMagic, string what)
    {
        string path = reader.Path;
        int got = reader.Read(header);
        if (got < 4)
            throw new DataFileException($"{path} is too short to be an IDX file ({got} bytes).");
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string found = (magic & ~0xFF) == 0x00000800
                ? $"the magic number of an IDX file with {magic & 0xFF} dimensions"
                : "no IDX magic number at all";
            throw new DataFileException(
                $"{path} is not an IDX {what} file: it starts with 0x{magic:X8} ({found}) instead of 0x{expectedMagic:X8}.");
        }
        if (got < header.Length)
            throw new DataFileException($"{path} is truncated: its header is {got} bytes instead of {header.Length}.");
    }

    private static int Dimension(ReadOnlySpan<byte> header, int offset, string path, string what)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(header[offset..]);
        if (value < 0) throw new DataFileException($"{path} declares a negative {what} ({value}); the header is corrupt.");
        return value;
    }

    /// <summary>
    /// Refuses a length the file cannot hold before allocating for it: an uncompressed file's length is known, and
    /// deflate expands at most 1032-fold, so a 100-byte .gz cannot make this reader allocate 2 GB.
    /// </summary>
    private static void CheckLength(IdxStream reader, long expected)
    {
        if (reader.RawLength is long actual)
        {
            if (actual != expected)
                throw new DataFileException(actual < expected
                    ? $"{reader.Path} is truncated: it has {actual} bytes but its header announces {expected}."
                    : $"{reader.Path} has {actual - expected} bytes more than the {expected} its header announces.");
        }
        else if (expected > reader.StoredLength * MaxDeflateRatio + 1024)
            throw new DataFileException(
                $"{reader.Path} is truncated or its header is corrupt: the header announces {expected} bytes, more than its {reader.StoredLength} compressed bytes can hold.");
    }

    /// <summary>The most deflate can expand data (RFC 1951: 258-byte matches in a minimal code), with a little margin.</summary>
    private const long MaxDeflateRatio = 1032;

    private static void ReadBody(IdxStream reader, byte[] body, int headerBytes)
    {
        int got = reader.Read(body);
        if (got < body.Length)
            throw new DataFileException(
                $"{reader.Path} is truncated: its data ends after {headerBytes + (long)got} of the {headerBytes + (long)body.Length} bytes its header announces.");
        Span<byte> probe = stackalloc byte[1];
        if (reader.Read(probe) != 0)
            throw new DataFileException($"{reader.Path} has more data than the {headerBytes + (long)body.Length} bytes its header announces.");
    }
}
