namespace Atelier.Data;

/// <summary>
/// What an IDX file holds once decompressed: its length and SHA-256 (lowercase hex). Computed while the file is read,
/// so a dataset is recognised by its content whether it is stored gzipped or not, at no second read.
/// </summary>
/// <param name="Path">the file that was read.</param>
/// <param name="Gzipped">the file was stored gzipped (detected by the gzip magic, not by its name).</param>
/// <param name="StoredLength">the file's length on disk.</param>
/// <param name="Length">the decompressed length in bytes.</param>
/// <param name="Sha256">SHA-256 of the decompressed bytes.</param>
public readonly record struct IdxContent(string Path, bool Gzipped, long StoredLength, long Length, string Sha256);
