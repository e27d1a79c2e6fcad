using System.Diagnostics;
using System.Runtime.InteropServices;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli;

/// <summary>Runs the real `atelier` program (the built Atelier.Cli.dll) as a separate process, as a user would.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static Result Run(params string[] args) => Run(args, interruptWhen: null);

    /// <summary>
    /// Runs the program; when a line of its output matches <paramref name="interruptWhen"/>, sends it
    /// <paramref name="signal"/> (INT is Ctrl+C; TERM is what `kill` sends; KILL is a crash).
    /// </summary>
    public static Result Run(string[] args, Func<string, bool>? interruptWhen, string signal = "INT")
    {
        using var process = Start(args);
        var stdout = interruptWhen is null ? process.StandardOutput.ReadToEndAsync() : ReadAndSignal(process, interruptWhen, signal);
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"atelier {string.Join(' ', args)} did not finish in 3 minutes.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts every command at the same moment and waits for them all, as users starting jobs in parallel would.</summary>
    public static List<Result> RunTogether(IEnumerable<string[]> commands)
    {
        var processes = commands.Select(Start).ToList();
        var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        var results = new List<Result>();
        for (int i = 0; i < processes.Count; i++)
        {
            if (!processes[i].WaitForExit(TimeSpan.FromMinutes(3))) processes[i].Kill(entireProcessTree: true);
            processes[i].WaitForExit();
            results.Add(new Result(processes[i].ExitCode, outputs[i].Out.Result, outputs[i].Err.Result));
            processes[i].Dispose();
        }
        return results;
    }

    /// <summary>Starts the program with its output redirected, for tests that run several at once.</summary>
    public static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Atelier.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ATELIER_DATA"] = TestData.FashionMnistDirectory;
        // Never reach for the internet from tests: an unreachable mirror makes any download fail at once.
        start.Environment["ATELIER_MIRROR"] = "http://127.0.0.1:9/";
        return Process.Start(start)!;
    }

    /// <summary>Sends a real signal, as kill(1) would: INT, TERM, KILL.</summary>
    public static void Signal(Process process, string signal)
    {
        int number = signal switch { "INT" => 2, "KILL" => 9, "TERM" => 15, _ => throw new ArgumentException($"No signal {signal}.", nameof(signal)) };
        if (Kill(process.Id, number) != 0 && !process.HasExited) throw new InvalidOperationException($"kill -{signal} {process.Id} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Reads on a thread of its own and signals at once: on the thread pool, busy with the tests beside it, the reading
    /// fell seconds behind the output, and a 2-second training had ended before the Ctrl+C came.
    /// </summary>
    private static Task<string> ReadAndSignal(Process process, Func<string, bool> interruptWhen, string signal) => Task.Factory.StartNew(() =>
    {
        var text = new System.Text.StringBuilder();
        bool sent = false;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            text.AppendLine(line);
            if (!sent && interruptWhen(line))
            {
                sent = true;
                Signal(process, signal);
            }
        }
        return text.ToString();
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>A user error: non-zero exit, one line on stderr starting with "error:", no stack trace.</summary>
    public static void AssertOneSentenceError(Result r, string expectedFragment, int exitCode)
    {
        // The output in the message: a crash (exit 134, an unhandled exception) must say where it happened.
        Assert.True(exitCode == r.ExitCode, $"Expected exit {exitCode}, got {r.ExitCode}; stderr:\n{r.Stderr}\nstdout (end):\n{r.Stdout[Math.Max(0, r.Stdout.Length - 2000)..]}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"Expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expectedFragment, lines[0]);
        Assert.DoesNotContain("   at ", r.Output);
    }
}
