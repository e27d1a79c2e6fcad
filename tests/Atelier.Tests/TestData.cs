using Atelier.Data;

namespace Atelier.Tests;

/// <summary>The real Fashion-MNIST files, found through ATELIER_DATA (CI sets it), loaded once per test run.</summary>
public static class TestData
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> fashion = new(() => FashionMnist.Load(Directory));

    public static string Directory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("ATELIER_DATA");
            if (string.IsNullOrEmpty(dir))
                foreach (var candidate in new[] { "../shared/datasets/fashion-mnist", "/work/shared/datasets/fashion-mnist" })
                    if (System.IO.Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            return string.IsNullOrEmpty(dir) ? throw new InvalidOperationException("Set ATELIER_DATA to the Fashion-MNIST folder.") : Path.GetFullPath(dir);
        }
    }

    public static Dataset Train => fashion.Value.Train;
    public static Dataset Test => fashion.Value.Test;

    /// <summary>A temporary folder deleted when disposed.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Directory.CreateTempSubdirectory("atelier-test-").FullName;

        public void Dispose()
        {
            try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
