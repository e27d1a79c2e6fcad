using Atelier.Training;

namespace Atelier.Cli;

/// <summary>An option a command accepts: `--name value`, or `--name` / `--no-name` for a flag.</summary>
/// <param name="Train">the training option it sets, when it is one (its parser and range checks then apply).</param>
public sealed record CliOption(string Name, string Help, bool IsFlag = false, string? Alias = null, string? Placeholder = null, TrainOption? Train = null)
{
    public static CliOption Flag(string name, string help) => new(name, help, IsFlag: true);

    public static CliOption Value(string name, string placeholder, string help, string? alias = null) => new(name, help, Alias: alias, Placeholder: placeholder);

    /// <summary>The training option <paramref name="name"/> of <see cref="TrainOptionTable"/>, as this command's option.</summary>
    public static CliOption Training(string name, string? help = null)
    {
        var option = TrainOptionTable.Find(name) ?? throw new ArgumentOutOfRangeException(nameof(name), name, "not a training option");
        return new CliOption(option.Name, help ?? option.Help, option.IsFlag, Placeholder: option.IsFlag ? null : "VALUE", Train: option);
    }

    public static readonly CliOption HelpOption = new("help", "show this help", IsFlag: true, Alias: "-h");
}
