namespace Atelier.Cli;

/// <summary>One `atelier` command: its name, what it does, its arguments, its options, and what runs it.</summary>
/// <param name="Arguments">the positional arguments as the help shows them ("RUN|CHECKPOINT"), empty when it takes none.</param>
public sealed record CliCommand(string Name, string Summary, string Arguments, IReadOnlyList<CliOption> Options, Func<ParsedArguments, int> Run);
