using Atelier.Training;

namespace Atelier.Cli;

/// <summary>
/// Reads `--name value`, `--name=value`, `--flag` and `--no-flag` against the option table; what is not an option
/// is returned as a positional argument. Every option of <see cref="TrainOptionTable"/> is accepted.
/// </summary>
public static class OptionParser
{
    private static readonly HashSet<string> BooleanWords = ["true", "false", "yes", "no", "on", "off"];

    /// <summary>Applies options to <paramref name="options"/>; returns positional arguments and the extra switches asked for.</summary>
    public static List<string> Apply(string[] args, TrainOptions options, IDictionary<string, string?> extras)
    {
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }
            string name = arg[2..], value = "";
            bool hasValue = false;
            int eq = name.IndexOf('=');
            if (eq >= 0) (name, value, hasValue) = (name[..eq], name[(eq + 1)..], true);

            if (extras.ContainsKey(name))
            {
                extras[name] = hasValue ? value : i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
                continue;
            }
            var option = TrainOptionTable.Find(name);
            if (option is null && name.StartsWith("no-", StringComparison.Ordinal) && TrainOptionTable.Find(name[3..]) is { IsFlag: true } negated)
            {
                negated.Set(options, "false");
                continue;
            }
            if (option is null) TrainOptionTable.Set(options, name, value); // throws the "unknown option" sentence
            else if (option.IsFlag)
            {
                // `--augment`, `--augment=false` and `--augment false` all work.
                if (!hasValue && i + 1 < args.Length && BooleanWords.Contains(args[i + 1].ToLowerInvariant())) value = args[++i];
                option.Set(options, hasValue || value.Length > 0 ? value : "true");
            }
            else
            {
                if (!hasValue)
                {
                    if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value.");
                    value = args[++i];
                }
                option!.Set(options, value);
            }
        }
        return positional;
    }

    /// <summary>Options from a YAML mapping (`lr: 0.001`, `model: cnn-c`...), with the same names as on the command line.</summary>
    public static void ApplyYaml(string path, TrainOptions options)
    {
        foreach (var (key, value) in YamlOptions.Read(path)) TrainOptionTable.Set(options, key, value);
    }
}
