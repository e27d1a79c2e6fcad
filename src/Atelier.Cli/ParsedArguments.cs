using Atelier.Training;

namespace Atelier.Cli;

/// <summary>A command line read against a command's options: positional arguments and option values, in order.</summary>
public sealed class ParsedArguments
{
    public List<string> Positional { get; } = [];

    /// <summary>Every option given, in the order given (each at most once).</summary>
    public List<(CliOption Option, string Value)> Values { get; } = [];

    public bool Has(string name) => Values.Any(v => v.Option.Name == name);

    public string? Value(string name) => Values.FirstOrDefault(v => v.Option.Name == name).Value;

    /// <summary>Every value of a repeatable option, in order.</summary>
    public List<string> All(string name) => Values.Where(v => v.Option.Name == name).Select(v => v.Value).ToList();

    /// <summary>A flag's value: true for `--x`, false for `--no-x`, <paramref name="otherwise"/> when not given.</summary>
    public bool Flag(string name, bool otherwise) => Value(name) is { } v ? v == "true" : otherwise;

    /// <summary>Sets every training option given onto <paramref name="options"/>, through the option table's own parsing.</summary>
    public void ApplyTo(TrainOptions options)
    {
        foreach (var (option, value) in Values)
            option.Train?.Set(options, value);
    }
}
