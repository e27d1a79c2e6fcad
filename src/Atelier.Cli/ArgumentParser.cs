using Atelier.Training;

namespace Atelier.Cli;

/// <summary>
/// Reads a command line against one command's options, POSIX style: `--name value`, `--name=value`, flags as
/// `--flag`, `--flag=false` or `--no-flag`, `--` ends the options. Refuses, in one sentence, an option the command
/// does not have (suggesting the closest one it has), a repeated option, and an option missing its value.
/// </summary>
public static class ArgumentParser
{
    private static readonly HashSet<string> BooleanWords = ["true", "false", "yes", "no", "on", "off", "1", "0"];

    public static ParsedArguments Parse(string command, string[] args, IReadOnlyList<CliOption> options)
    {
        options = [.. options, CliOption.HelpOption];
        var parsed = new ParsedArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                parsed.Positional.AddRange(args[(i + 1)..]);
                break;
            }
            if (!LooksLikeOption(arg))
            {
                parsed.Positional.Add(arg);
                continue;
            }
            string name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg;
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);

            var option = Find(options, name);
            string value;
            if (option is null && name.StartsWith("no-", StringComparison.Ordinal) && Find(options, name[3..]) is { IsFlag: true } negated)
            {
                if (inline is not null) throw new UsageException($"--{name} takes no value; write --{negated.Name}={inline} instead.");
                (option, value) = (negated, "false");
            }
            else if (option is null) throw new UsageException(Unknown(command, arg, name, options));
            else if (option.IsFlag)
            {
                value = inline ?? (i + 1 < args.Length && BooleanWords.Contains(args[i + 1].ToLowerInvariant()) ? args[++i] : "true");
                value = value.ToLowerInvariant() switch
                {
                    "" or "true" or "yes" or "on" or "1" => "true",
                    "false" or "no" or "off" or "0" => "false",
                    _ => throw new UsageException($"--{option.Name} is true or false, got '{value}'."),
                };
            }
            else if (inline is not null) value = inline;
            else if (i + 1 >= args.Length || LooksLikeOption(args[i + 1]))
                throw new UsageException($"--{option.Name} needs a value{(i + 1 < args.Length ? $", but is followed by the option '{args[i + 1]}'" : "")}: write --{option.Name} {option.Placeholder ?? "VALUE"}.");
            else value = args[++i];

            if (parsed.Values.FirstOrDefault(v => v.Option == option) is { Option: not null } earlier)
                throw new UsageException($"--{option.Name} is given twice ('{earlier.Value}' and '{value}'): give it once.");
            parsed.Values.Add((option, value));
        }
        return parsed;
    }

    /// <summary>"--x" and "-x" are options; "-", "-3" and "-0.5" (values) are not.</summary>
    private static bool LooksLikeOption(string arg) =>
        arg.Length > 1 && arg[0] == '-' && (arg[1] == '-' ? arg.Length > 2 : char.IsLetter(arg[1]));

    private static CliOption? Find(IReadOnlyList<CliOption> options, string name)
    {
        if (name.StartsWith('-') && !name.StartsWith("--", StringComparison.Ordinal))
            return options.FirstOrDefault(o => o.Alias == name);
        // YAML keys may be written with underscores (batch_size); the command line accepts the same spelling.
        string normal = name.Replace('_', '-').ToLowerInvariant();
        return options.FirstOrDefault(o => o.Name == normal);
    }

    private static string Unknown(string command, string arg, string name, IReadOnlyList<CliOption> options)
    {
        string shown = arg.Split('=')[0];
        string? closest = Suggestion.Closest(name.TrimStart('-').ToLowerInvariant(), options.Select(o => o.Name));
        return closest is not null
            ? $"Unknown option '{shown}' for `atelier {command}`. Did you mean '--{closest}'?"
            : $"Unknown option '{shown}' for `atelier {command}`; `atelier {command} --help` lists its options.";
    }
}
