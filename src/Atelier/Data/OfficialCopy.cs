using System.Security.Cryptography;

namespace Atelier.Data;

/// <summary>
/// Recognises the files of Fashion-MNIST by their content, stored gzipped or already decompressed, and names
/// a damaged copy as such, so that a copy the user gunzipped keeps its class names and a flipped byte is not reported
/// as a mere gzip error (or, worse, loaded as another dataset).
/// </summary>
internal static class OfficialCopy
{
    private enum Status { Official, Damaged, Other }

    /// <summary>
    /// True when the four files are the official ones by content. Throws when one is a damaged official file: a
    /// gzipped one of the official name and size (no other dataset's file has it), or a decompressed one of the
    /// official name and length beside official files (MNIST's decompressed files have Fashion-MNIST's lengths).
    /// </summary>
    public static bool Recognise(IdxFolderFiles files, IReadOnlyList<DatasetFile> official)
    {
        var c = files.Contents;
        var matches = new bool[official.Count];
        for (int i = 0; i < official.Count; i++)
            matches[i] = c[i].Length == official[i].ContentSize && c[i].Sha256 == official[i].ContentSha256;
        if (matches.All(m => m)) return true;
        bool besideOfficial = matches.Any(m => m);
        for (int i = 0; i < official.Count; i++)
        {
            if (matches[i]) continue;
            string name = Path.GetFileName(c[i].Path);
            if ((name == official[i].Name && c[i].StoredLength == official[i].Size)
                || (besideOfficial && name == official[i].BaseName && c[i].Length == official[i].ContentSize))
                throw Damaged(c[i].Path);
        }
        return false;
    }

    /// <summary>True when the four files are there, each official as stored (gzipped or decompressed).</summary>
    public static bool AllOfficial(string directory, IReadOnlyList<DatasetFile> official)
    {
        try
        {
            return official.All(f => IdxFolder.FindFile(directory, f.BaseName) is { } path && StoredStatus(path, f, out _) == Status.Official);
        }
        catch (DataFileException)
        {
            return false; // unreadable: not a copy we can vouch for
        }
    }

    /// <summary>The first of <paramref name="files"/> that fails <see cref="Recognise"/>, for <see cref="FashionMnist.Load"/>.</summary>
    public static DataFileException NotOfficial(IdxFolderFiles files, IReadOnlyList<DatasetFile> official)
    {
        for (int i = 0; i < official.Count; i++)
        {
            var c = files.Contents[i];
            if (c.Length != official[i].ContentSize || c.Sha256 != official[i].ContentSha256)
                return new DataFileException(
                    $"{c.Path} is not the official Fashion-MNIST file: its content does not match the published checksum; delete it and download it again.");
        }
        throw new InvalidOperationException("Every file is official.");
    }

    /// <summary>
    /// After reading <paramref name="directory"/> failed with <paramref name="error"/>: when the cause is a damaged
    /// official file, throws that instead (hashing the files as stored: only on this error path).
    /// </summary>
    public static void ThrowIfDamaged(string directory, IReadOnlyList<DatasetFile> official, DataFileException error)
    {
        var statuses = new (Status Status, string? Path, bool Gzipped)[official.Count];
        for (int i = 0; i < official.Count; i++)
        {
            string? path = IdxFolder.FindFile(directory, official[i].BaseName);
            statuses[i] = path is null ? (Status.Other, null, false) : (StoredStatus(path, official[i], out bool gzipped), path, gzipped);
        }
        bool besideOfficial = statuses.Any(s => s.Status == Status.Official);
        foreach (var (status, path, gzipped) in statuses)
            if (status == Status.Damaged && (gzipped || besideOfficial))
                throw Damaged(path!, error);
    }

    /// <summary>Checks each official file of <paramref name="directory"/> present, gzipped or not, against the published size and checksums.</summary>
    public static void Verify(string directory, IReadOnlyList<DatasetFile> official)
    {
        foreach (var file in official)
        {
            string? path = IdxFolder.FindFile(directory, file.BaseName);
            if (path is null) continue;
            long length = Length(path);
            bool gzipped = Path.GetFileName(path) == file.Name;
            long expected = gzipped ? file.Size : file.ContentSize;
            if (expected > 0 && length != expected)
                throw new DataFileException(
                    $"{path} is {length} bytes instead of the official {expected}, so it is not the official file; delete it and download it again.");
            if (StoredStatus(path, file, out _) == Status.Damaged) throw Damaged(path);
        }
    }

    private static DataFileException Damaged(string path, Exception? inner = null)
    {
        const string message = " is a damaged copy of the official Fashion-MNIST file (its content does not match the published checksum); delete it and download it again.";
        return inner is null ? new DataFileException(path + message) : new DataFileException(path + message, inner);
    }

    /// <summary>Official, Damaged (official name and size, other bytes) or Other, judged from the file as stored.</summary>
    private static Status StoredStatus(string path, DatasetFile file, out bool gzipped)
    {
        string name = Path.GetFileName(path);
        gzipped = name == file.Name;
        bool raw = name == file.BaseName;
        long length = Length(path);
        if (gzipped && length == file.Size)
            return Hash(path, out string md5) == file.Sha256 && (file.Md5.Length == 0 || md5 == file.Md5) ? Status.Official : Status.Damaged;
        if (raw && file.ContentSize > 0 && length == file.ContentSize)
            return Hash(path, out _) == file.ContentSha256 ? Status.Official : Status.Damaged;
        return Status.Other;
    }

    /// <summary>The length of the file itself, through any symbolic link (FileInfo.Length would give the link's).</summary>
    private static long Length(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            return stream.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"Cannot read {path}: {MessageText.AsClause(e.Message)}.", e);
        }
    }

    /// <summary>SHA-256 and MD5 of a file in one read.</summary>
    private static string Hash(string path, out string md5)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                md.AppendData(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"Cannot read {path}: {MessageText.AsClause(e.Message)}.", e);
        }
        md5 = Convert.ToHexStringLower(md.GetHashAndReset());
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
