using Atelier.Training;

namespace Atelier.Cli;

/// <summary>An option a command accepts: `--name value`, or `--name` / `--no-name` for a flag.</summary>
/// <param name="Train">the training option it sets, when it is one (its parser and range checks then apply).</param>
public sealed record CliOption(string Name, string Help, bool IsFlag = false, string? Alias = null, string? Placeholder = null, TrainOption? Train = null, bool Repeatable = false)
{
    public static CliOption Flag(string name, string help) => new(name, help, IsFlag: true);

    public static CliOption Value(string name, string placeholder, string help, string? alias = null) => new(name, help, Alias: alias, Placeholder: placeholder);

    /// <summary>The training option <paramref name="name"/> of <see cref="TrainOptionTable"/>, as this command's option.</summary>
    public static CliOption Training(string name, string? help = null)
    {
        var option = TrainOptionTable.Find(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "not a training option");
        string? fallback = option.Get(new TrainOptions());
        help ??= string.IsNullOrEmpty(fallback) ? option.Help : $"{option.Help} (default: {fallback})";
        return new CliOption(option.Name, help, option.IsFlag, Placeholder: option.IsFlag ? null : PlaceholderOf(option), Train: option);
    }

    /// <summary>What the help shows for an option's value: MODEL, N, X (a number), or the known choices.</summary>
    private static string PlaceholderOf(TrainOption option) => option.Name switch
    {
        "model" => "MODEL",
        "optimizer" => "NAME",
        "output" or "data" => "DIR",
        _ when option.Get(new TrainOptions()) is { } v && int.TryParse(v, out _) => "N",
        _ when option.Get(new TrainOptions()) is { } v && float.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _) => "X",
        _ => "VALUE",
    };
}
