namespace Atelier.Data;

/// <summary>
/// One file of a published dataset, as its mirror serves it: name, size and checksums (lowercase hex), plus the
/// length and SHA-256 of what it decompresses to, so a copy the user has gunzipped is still recognised by its content.
/// </summary>
/// <param name="Name">the file's name on the mirror (e.g. train-images-idx3-ubyte.gz).</param>
/// <param name="Size">the served file's length in bytes.</param>
/// <param name="Md5">MD5 of the served bytes.</param>
/// <param name="Sha256">SHA-256 of the served bytes.</param>
/// <param name="ContentSize">decompressed length in bytes; 0 when not published (then content is not checked).</param>
/// <param name="ContentSha256">SHA-256 of the decompressed bytes; empty when not published.</param>
public sealed record DatasetFile(string Name, long Size, string Md5, string Sha256, long ContentSize = 0, string ContentSha256 = "")
{
    /// <summary>The name without ".gz": the name of the decompressed copy.</summary>
    public string BaseName => Name.EndsWith(".gz", StringComparison.Ordinal) ? Name[..^3] : Name;
}
