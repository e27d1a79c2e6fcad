using System.Diagnostics;

namespace Atelier.Tests.Packaging;

/// <summary>Runs `dotnet` (or an installed tool) as a child process, as a user's shell would.</summary>
internal static class Dotnet
{
    public sealed record Result(int ExitCode, string Output, string CommandLine)
    {
        /// <summary>Fails the test with the command and its whole output unless it exited 0.</summary>
        public Result Succeeded()
        {
            Assert.True(ExitCode == 0, $"`{CommandLine}` exited {ExitCode}:\n{Output}");
            return this;
        }
    }

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    public static Result Run(string workingDirectory, params string[] args) => Exec("dotnet", workingDirectory, null, args);

    /// <summary>
    /// Output goes to a log file through the shell, never to a pipe of ours: the MSBuild nodes and compiler server a
    /// build leaves behind inherit its stdout, and a pipe they hold open would keep a read of it (and `dotnet test`)
    /// waiting long after the build ended.
    /// </summary>
    public static Result Exec(string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        string log = Path.Combine(workingDirectory, $".log-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        string[] shell = ["-c", "exec \"$0\" \"$@\" > \"$ATELIER_TEST_LOG\" 2>&1 < /dev/null", program, .. args];
        foreach (var a in shell) start.ArgumentList.Add(a);
        Clean(start.Environment);
        start.Environment["ATELIER_TEST_LOG"] = log;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        string commandLine = $"{program} {string.Join(' ', args)}";
        using var process = Process.Start(start)!;
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{commandLine}` did not finish in {Limit.TotalMinutes} minutes:\n{Read(log)}");
        }
        return new Result(process.ExitCode, Read(log), commandLine);
    }

    private static string Read(string log) => File.Exists(log) ? File.ReadAllText(log) : "";

    /// <summary>
    /// `dotnet test` hands its own MSBuild settings to the test host (MSBuildExtensionsPath, MSBuildSDKsPath...); a
    /// nested build must find its own, as it would from a shell. Telemetry and banners only add noise to the logs.
    /// </summary>
    private static void Clean(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                environment.Remove(key);
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
    }
}
