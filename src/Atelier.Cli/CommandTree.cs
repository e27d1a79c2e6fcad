using System.CommandLine;
using Atelier.Models;
using Atelier.Training;

namespace Atelier.Cli;

/// <summary>
/// The System.CommandLine tree of every command, generated from the commands' option lists (and so, for training
/// options, from the one <see cref="TrainOptionTable"/>): it gives the help pages, POSIX tokenizing, response files
/// (@file) and tab completion ([suggest] directive). Checking the tokens is <see cref="ArgumentParser"/>'s job.
/// </summary>
public sealed class CommandTree
{
    /// <summary>(command, alias as typed) → our option, and whether it is the `--no-` form of a flag.</summary>
    private readonly Dictionary<(string Command, string Alias), (CliOption Option, bool Negated)> options = [];

    public CommandTree(IReadOnlyList<CliCommand> commands)
    {
        Root = new RootCommand("atelier — train, tune, compare and report on Fashion-MNIST classifiers");
        foreach (var command in commands)
        {
            var sub = new Command(command.Name, command.Summary);
            foreach (var option in command.Options)
                foreach (var symbol in Symbols(option))
                {
                    sub.Options.Add(symbol);
                    foreach (var alias in symbol.Aliases.Append(symbol.Name)) options[(command.Name, alias)] = (option, symbol.Name.StartsWith("--no-", StringComparison.Ordinal) && option.IsFlag);
                }
            // Every positional token lands here; unknown "--x" tokens too, so that they get our sentence, not a generic one.
            sub.Arguments.Add(new Argument<string[]>(command.Arguments.Length > 0 ? command.Arguments : "arguments")
            {
                Arity = ArgumentArity.ZeroOrMore,
                Hidden = command.Arguments.Length == 0,
            });
            Root.Subcommands.Add(sub);
        }
    }

    public RootCommand Root { get; }

    /// <summary>Which of the command's options an option token stands for, and whether it is the `--no-` form of a flag.</summary>
    public bool TryFind(string command, string token, out CliOption option, out bool negated)
    {
        bool found = options.TryGetValue((command, token), out var entry);
        (option, negated) = found ? entry : (null!, false);
        return found;
    }

    private IEnumerable<Option> Symbols(CliOption option)
    {
        string[] aliases = option.Alias is null ? [] : [option.Alias];
        if (option.IsFlag)
        {
            yield return new Option<bool>("--" + option.Name, aliases) { Description = option.Help };
            yield return new Option<bool>("--no-" + option.Name) { Description = $"the opposite of --{option.Name}", Hidden = true };
            yield break;
        }
        var value = new Option<string[]>("--" + option.Name, aliases)
        {
            Description = option.Help,
            HelpName = option.Placeholder ?? "VALUE",
            Arity = ArgumentArity.ZeroOrMore, // counts are checked by ArgumentParser, with sentences of our own
            AllowMultipleArgumentsPerToken = false,
        };
        if (Choices(option.Name) is { } choices) value.CompletionSources.Add(choices);
        yield return value;
    }

    /// <summary>The values tab completion offers for an option with a known set of values.</summary>
    private static string[]? Choices(string name) => name switch
    {
        "model" => ModelZoo.All.Select(m => m.Name).ToArray(),
        "optimizer" => TrainOptions.OptimizerNames,
        "schedule" => TrainOptions.Schedules,
        "loss" => TrainOptions.Losses,
        "init" => TrainOptions.Inits,
        "tta" => ["auto", "flip", "none"],
        "monitor" => ["val-accuracy", "val-loss"],
        "status" => RunsCommand.Statuses,
        _ => null,
    };

    /// <summary>Whether the parse asks for help, the version or completions rather than a command.</summary>
    public static bool IsBuiltIn(ParseResult result) =>
        result.Action is System.CommandLine.Help.HelpAction || result.Action?.GetType().Name is "CompletionAction" or "VersionOptionAction";
}
