namespace Atelier.Data;

/// <summary>One file of a published dataset, as its mirror serves it: name, size and checksums (lowercase hex).</summary>
public sealed record DatasetFile(string Name, long Size, string Md5, string Sha256);
