using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Atelier.Tests.Data;

namespace Atelier.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: the tool installed from the local feed and run from its tool path, and the library
/// restored into a fresh console project that trains. A packaging mistake (a missing dependency or native library, a
/// wrong command name, a broken package README) fails here rather than on a user's machine.
/// </summary>
public sealed partial class PackagingTests(PackagesFixture packages) : IClassFixture<PackagesFixture>
{
    [Fact]
    public void The_packages_hold_the_assemblies_docs_readme_licence_and_symbols()
    {
        var library = Entries(packages.Package("Atelier"));
        Assert.Contains("lib/net10.0/Atelier.dll", library);
        Assert.Contains("lib/net10.0/Atelier.xml", library);
        Assert.Contains("README.md", library);
        Assert.Contains("LICENSE", library);
        Assert.Contains("lib/net10.0/Atelier.pdb", Entries(packages.Package("Atelier", "snupkg")));

        var tool = Entries(packages.Package("Atelier.Cli"));
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", tool);
        Assert.Contains("tools/net10.0/any/Atelier.Cli.dll", tool);
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libe_sqlite3.so", tool);
        Assert.DoesNotContain(tool, e => e.StartsWith("tools/net10.0/any/runtimes/android-", StringComparison.Ordinal)); // see Atelier.Cli.csproj
        Assert.Contains("README.md", tool);
        Assert.Contains("LICENSE", tool);
        Assert.Contains("tools/net10.0/any/Atelier.Cli.pdb", Entries(packages.Package("Atelier.Cli", "snupkg")));
    }

    [Fact]
    public async Task The_installed_tool_lists_the_models_trains_into_its_run_store_and_serves_it()
    {
        string work = Directory.CreateDirectory(Path.Combine(packages.Root, "tool")).FullName;
        string toolPath = Path.Combine(work, "bin");
        Dotnet.Run(work, "tool", "install", "--tool-path", toolPath, "--add-source", packages.Feed, "--version", packages.Version, "Atelier.Cli").Succeeded();
        string atelier = Path.Combine(toolPath, "atelier");
        Assert.True(File.Exists(atelier), $"The tool installed no command named `atelier` in {toolPath}: {string.Join(", ", Directory.GetFiles(toolPath).Select(Path.GetFileName))}.");

        var models = Dotnet.Exec(atelier, work, ToolEnvironment(), "models").Succeeded();
        Assert.Contains("cnn-deep-bn", models.Output);

        // A one-epoch run on a few hundred images writes the SQLite run store: the native e_sqlite3 must load from the tool's folder.
        Dotnet.Exec(atelier, work, ToolEnvironment(), "train", "--model", "dense32", "--epochs", "1", "--train-size", "500",
            "--val-size", "100", "--test-size", "200", "--threads", "1", "--output", "runs").Succeeded();
        var runs = Dotnet.Exec(atelier, work, ToolEnvironment(), "runs", "--output", "runs").Succeeded();
        Assert.Contains("finished", runs.Output);
        Assert.Contains("dense32", runs.Output);

        // The server needs ASP.NET Core's shared framework beside .NET's: the tool must name both.
        var start = new System.Diagnostics.ProcessStartInfo(atelier, ["serve", "--port", "0", "--runs", "runs"])
        {
            WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (key, value) in ToolEnvironment()) start.Environment[key] = value;
        using var server = System.Diagnostics.Process.Start(start)!;
        try
        {
            string banner = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) ?? await server.StandardError.ReadToEndAsync();
            var address = System.Text.RegularExpressions.Regex.Match(banner, @"http://[^ ]+").Value;
            Assert.True(address.Length > 0, $"`atelier serve` printed no address: {banner}");
            using var http = new HttpClient();
            Assert.Contains("dense32", await http.GetStringAsync(address + "/api/v1/runs"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_console_project_references_the_library_package_and_trains_a_model()
    {
        string project = ConsumerProject.Write(Path.Combine(packages.Root, "consumer"), packages.Feed, packages.Version);
        Dotnet.Run(project, "build", "-c", "Release").Succeeded();
        var run = Dotnet.Exec("dotnet", project, null, Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll"),
            TestData.FashionMnistDirectory, project).Succeeded();

        var numbers = Summary().Match(run.Output);
        Assert.True(numbers.Success, $"The consumer printed no summary:\n{run.Output}");
        double first = Number(numbers, "first"), last = Number(numbers, "last"), accuracy = Number(numbers, "accuracy");
        Assert.True(last < first, $"The loss did not fall in an epoch: {run.Output}");
        Assert.True(accuracy > 0.5, $"One epoch on 2,000 images should classify most test images: {run.Output}");
        Assert.Equal("0", numbers.Groups["runs"].Value);
    }

    private static Dictionary<string, string> ToolEnvironment() => new()
    {
        ["ATELIER_DATA"] = TestData.FashionMnistDirectory,
        // Never reach for the internet from tests: an unreachable mirror makes any download fail at once.
        ["ATELIER_MIRROR"] = "http://127.0.0.1:9/",
    };

    private static HashSet<string> Entries(string package)
    {
        Assert.True(File.Exists(package), $"{package} was not packed.");
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToHashSet();
    }

    private static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"first-loss (?<first>[0-9.]+) last-loss (?<last>[0-9.]+) accuracy (?<accuracy>[0-9.]+) runs (?<runs>\d+)")]
    private static partial Regex Summary();
}
