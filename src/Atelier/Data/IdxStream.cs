using System.IO.Compression;
using System.Security.Cryptography;

namespace Atelier.Data;

/// <summary>
/// An IDX file opened for one sequential read, decompressed when it starts with the gzip magic, hashing (SHA-256)
/// every decompressed byte it hands out, and turning every decoding or I/O failure into <see cref="DataFileException"/>.
/// </summary>
internal sealed class IdxStream : IDisposable
{
    private readonly FileStream file;
    private readonly Stream stream;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long length;

    private IdxStream(string path, FileStream file, Stream stream, bool gzipped)
    {
        Path = path;
        this.file = file;
        this.stream = stream;
        Gzipped = gzipped;
        RawLength = gzipped ? null : file.Length;
    }

    public string Path { get; }

    public bool Gzipped { get; }

    /// <summary>The file's length on disk (compressed, for a gzipped one).</summary>
    public long StoredLength => file.Length;

    /// <summary>The file length for an uncompressed file; null for a gzipped one (its content length is unknown until read).</summary>
    public long? RawLength { get; }

    public static IdxStream Open(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"Cannot open {path}: {MessageText.AsClause(e.Message)}.", e);
        }
        try
        {
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            bool gzipped = b0 == 0x1f && b1 == 0x8b;
            Stream stream = gzipped ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
            return new IdxStream(path, file, stream, gzipped);
        }
        catch (IOException e)
        {
            file.Dispose();
            throw new DataFileException($"Cannot read {path}: {MessageText.AsClause(e.Message)}.", e);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> as far as the data goes; returns how much it got (less only at the end).</summary>
    public int Read(Span<byte> buffer)
    {
        int got;
        try
        {
            got = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException($"{Path} is not a valid gzip file ({MessageText.AsClause(e.Message)}); delete it and get it again.", e);
        }
        catch (IOException e)
        {
            throw new DataFileException($"Cannot read {Path}: {MessageText.AsClause(e.Message)}.", e);
        }
        hash.AppendData(buffer[..got]);
        length += got;
        return got;
    }

    /// <summary>The content read so far; after the last read (which found the end), the whole file's.</summary>
    public IdxContent Content() => new(Path, Gzipped, StoredLength, length, Convert.ToHexStringLower(hash.GetCurrentHash()));

    public void Dispose()
    {
        stream.Dispose();
        file.Dispose();
        hash.Dispose();
    }
}
