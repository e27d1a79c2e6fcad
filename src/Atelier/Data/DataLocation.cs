namespace Atelier.Data;

/// <summary>Where the dataset files were found, so the CLI can say so.</summary>
public enum DataSource
{
    /// <summary>The folder given with --data.</summary>
    Explicit,
    /// <summary>The folder named by ATELIER_DATA.</summary>
    Environment,
    /// <summary>The user's cache folder, from an earlier download.</summary>
    Cache,
    /// <summary>The user's cache folder, downloaded just now.</summary>
    Downloaded,
}

public readonly record struct DataLocation(string Directory, DataSource Source);
