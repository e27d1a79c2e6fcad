namespace Atelier.Data;

/// <summary>How far a download has got; <see cref="TotalBytes"/> is null when the server does not say.</summary>
public readonly record struct DownloadProgress(string FileName, long BytesDone, long? TotalBytes);
