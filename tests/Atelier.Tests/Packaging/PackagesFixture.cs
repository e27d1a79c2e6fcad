using Atelier.Tests.Data;
using System.Globalization;

namespace Atelier.Tests.Packaging;

/// <summary>
/// Packs Atelier and Atelier.Cli once for all the packaging tests, from a copy of the sources, into a fresh folder.
/// A copy, so that a test run never rebuilds the working tree's bin/obj under another version (nor picks up a stale
/// file from them). A version of its own (0.1.0-test.TIMESTAMP.RANDOM), so that NuGet's global packages folder can
/// never hand a consumer an older package of the same number.
/// </summary>
public sealed class PackagesFixture : IDisposable
{
    public string Root { get; }
    public string Feed { get; }
    public string Version { get; }

    public PackagesFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "atelier-packaging", Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        string suffix = $"test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1, 1_000_000).ToString(CultureInfo.InvariantCulture)}";
        string sources = CopySources(Path.Combine(Root, "sources"));
        // The same suffix for both: the second pack then finds Atelier already built and only packs it.
        foreach (var project in new[] { "src/Atelier.Cli", "src/Atelier" })
            Dotnet.Run(sources, "pack", project, "-c", "Release", "-o", Feed, $"-p:VersionSuffix={suffix}").Succeeded();
        string package = Directory.GetFiles(Feed, "Atelier.Cli.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        Version = Path.GetFileNameWithoutExtension(package)["Atelier.Cli.".Length..];
        Assert.EndsWith(suffix, Version);
    }

    public string Package(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    private static string CopySources(string target)
    {
        string repository = TestData.RepositoryRoot;
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "LICENSE", "README.md" })
        {
            Directory.CreateDirectory(target);
            File.Copy(Path.Combine(repository, file), Path.Combine(target, file));
        }
        foreach (var project in new[] { "Atelier", "Atelier.Server", "Atelier.Cli" })
            CopyTree(Path.Combine(repository, "src", project), Path.Combine(target, "src", project));
        return target;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            if (Path.GetFileName(dir) is not ("bin" or "obj")) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    /// <summary>
    /// Removes the temporary folders and the one Atelier version the consumer project restored into NuGet's global
    /// packages folder (nothing else there is touched), so test runs do not pile up copies.
    /// </summary>
    public void Dispose()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var dir in new[] { Path.Combine(packages, "atelier", Version.ToLowerInvariant()), Root })
            try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
            catch (IOException) { } // best effort: a leftover temporary folder is harmless
            catch (UnauthorizedAccessException) { }
    }
}
