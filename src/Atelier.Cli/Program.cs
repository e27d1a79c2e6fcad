using Atelier.Cli;
using Spectre.Console;

// Pipes and CI logs get plain text: no colours, no cursor tricks, lines as wide as they need.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(Console.Out),
    });
    AnsiConsole.Profile.Width = 160;
}
return await CommandLine.RunAsync(args);
