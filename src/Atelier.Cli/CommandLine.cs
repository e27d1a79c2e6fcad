using Atelier.Data;
using Atelier.Imaging;
using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Cli;

/// <summary>Dispatches `atelier COMMAND ...` and turns every error a user can cause into one sentence and an exit code.</summary>
public static class CommandLine
{
    public const int UsageError = 2;
    public const int Failure = 1;
    public const int Interrupted = 130;

    /// <summary>Every command, in the order the help lists them.</summary>
    public static IReadOnlyList<CliCommand> All { get; } =
    [
        TrainCommand.Definition, EvaluateCommand.Definition, PredictCommand.Definition, ModelsCommand.ListDefinition, ModelsCommand.SummaryDefinition,
        ExperimentCommand.Definition, TuneCommand.Definition, TrialsCommand.Definition, ReportCommand.Definition, RunsCommand.Definition, ExportCommand.Definition, ServeCommand.Definition, CompletionCommand.Definition,
    ];

    public static IEnumerable<string> Commands => All.Select(c => c.Name);

    private static readonly Lazy<CommandTree> Tree = new(() => new CommandTree(All));

    /// <summary>Runs a command on the real console (see <see cref="Terminal.UseConsole"/>); returns the exit code.</summary>
    public static int Run(string[] args)
    {
        int code;
        try
        {
            code = Dispatch(args);
            Console.Out.Flush();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Terminal.Error(e.Message);
            code = e is UsageException or ArgumentException ? UsageError : Failure;
        }
        return code;
    }

    /// <summary>Runs a command with its output captured (the in-process CLI tests); the console is restored after.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        try
        {
            Terminal.UseWriters(stdout, stderr);
            return Run(args);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    private static int Dispatch(string[] args)
    {
        if (args is ["help", .. var topic])
        {
            // `atelier help train` is `atelier train --help`.
            if (topic.Length > 1) throw new UsageException("`atelier help` takes at most one command name; `atelier COMMAND --help` shows a command's options.");
            args = topic.Length == 0 ? ["--help"] : [topic[0], "--help"];
        }
        if (args.Length == 0)
        {
            Invoke(Tree.Value.Root.Parse(["--help"]));
            return UsageError;
        }
        if (!args[0].StartsWith('-') && !args[0].StartsWith('[') && !args[0].StartsWith('@') && All.All(c => c.Name != args[0]))
            throw new UsageException(UnknownCommand(args[0]));
        var result = Tree.Value.Root.Parse(args);
        if (CommandTree.IsBuiltIn(result)) return Invoke(result);
        var command = All.FirstOrDefault(c => c.Name == result.CommandResult.Command.Name)
            ?? throw new UsageException(result.Errors.Count > 0 ? result.Errors[0].Message : $"Give a command: {string.Join(", ", Commands)} (`atelier --help`).");
        return command.Run(ArgumentParser.Read(Tree.Value, command, result, args));
    }

    /// <summary>Help, version and completions, written by System.CommandLine to our console.</summary>
    private static int Invoke(System.CommandLine.ParseResult result)
    {
        var output = new StringWriter();
        int code = result.Invoke(new System.CommandLine.InvocationConfiguration
        {
            Output = output,
            Error = Console.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Ctrl+C and SIGTERM are StopSignals'
        });
        // The help names the program by its file (Atelier.Cli under `dotnet run`); users know it as atelier.
        Console.Write(output.ToString().Replace($"  {System.CommandLine.RootCommand.ExecutableName} ", "  atelier ", StringComparison.Ordinal));
        return code;
    }

    private static string UnknownCommand(string name) =>
        Suggestion.Closest(name.ToLowerInvariant(), Commands) is { } closest
            ? $"Unknown command '{name}'. Did you mean `atelier {closest}`? (`atelier --help` lists the commands.)"
            : $"Unknown command '{name}'. Commands: {string.Join(", ", Commands)} (`atelier --help`).";

    /// <summary>Errors that a user's input causes; anything else is a bug and keeps its stack trace.</summary>
    private static bool IsUserError(Exception e) => e is UsageException or ArgumentException or IOException or UnauthorizedAccessException
        or InvalidDataException or DataFileException or InvalidModelFileException or ImageFormatException or NonFiniteLossException
        or RunConflictException;

    public static void Error(string message) => Terminal.Error(message);
}

/// <summary>A mistake in the command line itself.</summary>
public sealed class UsageException(string message) : Exception(message);
