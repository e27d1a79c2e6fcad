using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// Where the command writes: the real console, or (for tests that run the CLI in-process) two writers. Pipes, files
/// and CI logs get plain text: no colours, no cursor tricks, lines as wide as they need.
/// </summary>
public static class Terminal
{
    /// <summary>True when output is plain text (redirected or captured): one line per epoch instead of live bars.</summary>
    public static bool IsPlain { get; private set; }

    public static void UseConsole()
    {
        Console.SetOut(new StandardOutput(Console.Out));
        if (Console.IsOutputRedirected) UsePlain(Console.Out);
        else IsPlain = !AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Captures everything the command writes, as plain text.</summary>
    public static void UseWriters(TextWriter stdout, TextWriter stderr)
    {
        Console.SetOut(new StandardOutput(stdout));
        Console.SetError(stderr);
        UsePlain(Console.Out);
    }

    private static void UsePlain(TextWriter output)
    {
        IsPlain = true;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        AnsiConsole.Profile.Width = 160;
    }

    /// <summary>An error as the one line a user reads: "error: ..." (red on a terminal).</summary>
    public static void Error(string message)
    {
        if (IsPlain || Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"error: {message}");
            return;
        }
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }
}
