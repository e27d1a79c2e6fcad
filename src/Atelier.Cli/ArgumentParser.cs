using System.CommandLine.Parsing;
using Atelier.Training;

namespace Atelier.Cli;

/// <summary>
/// Reads System.CommandLine's tokens of one command against that command's options, POSIX style: `--name value`,
/// `--name=value`, flags as `--flag`, `--flag false` or `--no-flag`, `--` ends the options, `@file` reads more
/// arguments from a file. Refuses, in one sentence, an option the command does not have (suggesting the closest one
/// it has), a repeated option, and an option missing its value.
/// </summary>
public static class ArgumentParser
{
    private static readonly HashSet<string> BooleanWords = ["true", "false", "yes", "no", "on", "off", "1", "0"];

    public static ParsedArguments Read(CommandTree tree, CliCommand command, System.CommandLine.ParseResult result, IReadOnlyList<string> args)
    {
        RefuseValuedFlags(command, args);
        var parsed = new ParsedArguments();
        var tokens = result.Tokens.Where(t => t.Type != TokenType.Directive).Skip(1).ToList(); // the command's own name first
        bool literal = false;
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (literal)
            {
                parsed.Positional.Add(token.Value);
                continue;
            }
            if (token.Type == TokenType.DoubleDash)
            {
                literal = true;
                continue;
            }
            if (token.Type != TokenType.Option || !tree.TryFind(command.Name, token.Value, out var option, out bool negated))
            {
                if (LooksLikeOption(token.Value)) throw new UsageException(Unknown(command, token.Value));
                parsed.Positional.Add(token.Value);
                continue;
            }
            string value;
            if (option.IsFlag)
            {
                value = negated ? "false" : "true";
                // `--flag false` works; `--flag file.png` leaves the file a positional argument.
                if (!negated && i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument && BooleanWords.Contains(tokens[i + 1].Value.ToLowerInvariant()))
                    value = tokens[++i].Value.ToLowerInvariant() is "true" or "yes" or "on" or "1" ? "true" : "false";
            }
            else if (i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument && !LooksLikeOption(tokens[i + 1].Value)) value = tokens[++i].Value;
            else
            {
                string? next = i + 1 < tokens.Count ? tokens[i + 1].Value : null;
                throw new UsageException($"--{option.Name} needs a value{(next is not null ? $", but is followed by the option '{next}'" : "")}: write --{option.Name} {option.Placeholder ?? "VALUE"}.");
            }
            if (!option.Repeatable && parsed.Values.FirstOrDefault(v => v.Option == option) is { Option: not null } earlier)
                throw new UsageException($"--{option.Name} is given twice ('{earlier.Value}' and '{value}'): give it once.");
            parsed.Values.Add((option, value));
        }
        // What is left is System.CommandLine's own: a response file that cannot be read, and the like.
        if (result.Errors.Count > 0) throw new UsageException(result.Errors[0].Message);
        return parsed;
    }

    /// <summary>`--flag=maybe`: System.CommandLine would make "maybe" a positional argument; it is a mistyped flag value.</summary>
    private static void RefuseValuedFlags(CliCommand command, IReadOnlyList<string> args)
    {
        foreach (var arg in args.TakeWhile(a => a != "--"))
        {
            int eq = arg.IndexOf('=');
            if (!arg.StartsWith("--", StringComparison.Ordinal) || eq < 0) continue;
            string name = arg[2..eq], value = arg[(eq + 1)..];
            if (command.Options.FirstOrDefault(o => o.IsFlag && "no-" + o.Name == name) is { } negated)
                throw new UsageException($"--{name} takes no value; write --{negated.Name}={value} instead.");
            if (command.Options.FirstOrDefault(o => o.IsFlag && o.Name == name) is { } flag && !BooleanWords.Contains(value.ToLowerInvariant()))
                throw new UsageException($"--{flag.Name} is true or false, got '{value}'.");
        }
    }

    /// <summary>"--x" and "-x" are options; "-", "-3" and "-0.5" (values) are not.</summary>
    public static bool LooksLikeOption(string arg) =>
        arg.Length > 1 && arg[0] == '-' && (arg[1] == '-' ? arg.Length > 2 : char.IsLetter(arg[1]));

    private static string Unknown(CliCommand command, string arg)
    {
        string shown = arg.Split('=')[0];
        string? closest = Suggestion.Closest(shown.TrimStart('-').ToLowerInvariant(), command.Options.Select(o => o.Name));
        return closest is not null
            ? $"Unknown option '{shown}' for `atelier {command.Name}`. Did you mean '--{closest}'?"
            : $"Unknown option '{shown}' for `atelier {command.Name}`; `atelier {command.Name} --help` lists its options.";
    }
}
