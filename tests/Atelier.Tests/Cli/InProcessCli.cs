using Atelier.Cli;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli;

/// <summary>
/// Runs `atelier` inside the test process (milliseconds instead of a process start), its output captured. The
/// console is global, so one command runs at a time; tests that use it sit in the non-parallel "console" collection.
/// </summary>
public static class InProcessCli
{
    private static readonly Lock Gate = new();

    public static CliRunner.Result Run(params string[] args)
    {
        lock (Gate)
        {
            // As CliRunner: the offline dataset, and never the internet.
            Environment.SetEnvironmentVariable("ATELIER_DATA", TestData.FashionMnistDirectory);
            Environment.SetEnvironmentVariable("ATELIER_MIRROR", "http://127.0.0.1:9/");
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            int code = CommandLine.Run(args, stdout, stderr);
            return new CliRunner.Result(code, stdout.ToString(), stderr.ToString());
        }
    }
}

/// <summary>Tests that swap the process's console run alone, after the parallel ones.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>
/// Tests that measure the process (managed bytes allocated per step) run alone: a parallel test renting buffers of
/// the same sizes from the shared pool makes this thread allocate new ones.
/// </summary>
[CollectionDefinition("alone", DisableParallelization = true)]
public sealed class AloneCollection;
