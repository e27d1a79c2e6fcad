using Spectre.Console;

namespace Atelier.Cli;

/// <summary>A command's `--help`: its usage line and a table of its options.</summary>
public static class Help
{
    public static int Print(string usage, IReadOnlyList<CliOption> options)
    {
        Console.WriteLine(usage);
        var table = new Table().Border(TableBorder.Simple).AddColumn("option").AddColumn("meaning");
        foreach (var o in options)
        {
            string name = o.IsFlag ? $"--{o.Name}" : $"--{o.Name} {o.Placeholder ?? "VALUE"}";
            if (o.Alias is not null) name = $"{o.Alias}, {name}";
            table.AddRow(Markup.Escape(name), Markup.Escape(o.Help));
        }
        table.AddRow("-h, --help", "show this help");
        AnsiConsole.Write(table);
        return 0;
    }
}
