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


    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenData(path, out long? rawLength);
        Span<byte> header = stackalloc byte[16];
        ReadHeader(stream, path, header, ImagesMagic, "images");
        int count = Dimension(header, 4, path, "image count");
        int rows = Dimension(header, 8, path, "row count");
        int cols = Dimension(header, 12, path, "column count");
        if (rows == 0 || cols == 0)
            throw new DataFileException($"{path} declares images of {rows}x{cols} pixels; rows and columns must be at least 1.");
        long size = (long)count * rows * cols;
        if (size > Array.MaxLength)
            throw new DataFileException($"{path} declares {count} images of {rows}x{cols} pixels, more than this reader accepts (2 GB); the header is probably corrupt.");
        CheckRawLength(path, rawLength, 16 + size);
        var pixels = new byte[size];
        ReadBody(stream, path, pixels, 16);
        return new IdxImages(pixels, count, rows, cols);
    }

    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenData(path, out long? rawLength);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, path, header, LabelsMagic, "labels");
        int count = Dimension(header, 4, path, "label count");
        CheckRawLength(path, rawLength, 8 + (long)count);
        var labels = new byte[count];
        ReadBody(stream, path, labels, 8);
        return labels;
    }

    /// <summary>Opens the file, decompressing if it starts with the gzip magic; rawLength is the file length for uncompressed files.</summary>
    private static Stream OpenData(string path, out long? rawLength)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"Cannot open {path}: {e.Message}", e);
        }
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        if (b0 == 0x1f && b1 == 0x8b)
        {
            rawLength = null;
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        }
        rawLength = file.Length;
        return file;
    }

    private static void ReadHeader(Stream stream, string path, Span<byte> header, int expectedMagic, string what)
    {
        int got = ReadFully(stream, path, header);
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

    private static void CheckRawLength(string path, long? rawLength, long expected)
    {
        if (rawLength is long actual && actual != expected)
            throw new DataFileException(actual < expected
                ? $"{path} is truncated: it has {actual} bytes but its header announces {expected}."
                : $"{path} has {actual - expected} bytes more than the {expected} its header announces.");
    }

    private static void ReadBody(Stream stream, string path, byte[] body, int headerBytes)
    {
        int got = ReadFully(stream, path, body);
        if (got < body.Length)
            throw new DataFileException(
                $"{path} is truncated: its data ends after {headerBytes + (long)got} of the {headerBytes + (long)body.Length} bytes its header announces.");
        Span<byte> probe = stackalloc byte[1];
        if (ReadFully(stream, path, probe) != 0)
            throw new DataFileException($"{path} has more data than the {headerBytes + (long)body.Length} bytes its header announces.");
    }

    private static int ReadFully(Stream stream, string path, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException($"{path} is not a valid gzip file ({MessageText.AsClause(e.Message)}); delete it and get it again.", e);
        }
        catch (IOException e)
        {
            throw new DataFileException($"Cannot read {path}: {e.Message}", e);
        }
    }
}
