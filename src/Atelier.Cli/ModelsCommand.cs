using System.Globalization;
using Atelier.Models;
using Atelier.Tensors;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>`atelier models` (the zoo) and `atelier summary MODEL` (a Keras-style layer table).</summary>
public static class ModelsCommand
{
    private static readonly Shape Sample = new(1, 1, 28, 28);

    /// <summary>The model's switches change its layers, so summary reads them too.</summary>
    private static readonly IReadOnlyList<CliOption> SummaryOptions = [CliOption.Training("patch"), CliOption.Training("dropout"), CliOption.Training("batch-norm")];

    public static CliCommand ListDefinition { get; } = new("models", "the model zoo with parameters and FLOPs", "", [], List);

    public static CliCommand SummaryDefinition { get; } = new("summary", "a model's Keras-style layer table (--patch, --dropout, --no-batch-norm apply)", "MODEL", SummaryOptions, Summary);

    public static int List(ParsedArguments parsed)
    {
        if (parsed.Positional.Count > 0) throw new UsageException($"`atelier models` takes no argument; for one model's layers use `atelier summary {parsed.Positional[0]}`.");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("model").AddColumn("from").AddColumn(new TableColumn("parameters").RightAligned())
            .AddColumn(new TableColumn("MFLOPs / image").RightAligned()).AddColumn("layers");
        foreach (var info in ModelZoo.All)
        {
            var model = info.Build(new ModelOptions());
            table.AddRow(info.Name, Markup.Escape(info.Source), model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture),
                (model.Flops(Sample) / 1e6).ToString("F2", CultureInfo.InvariantCulture), Markup.Escape(info.Description));
        }
        AnsiConsole.Write(table);
        return 0;
    }

    public static int Summary(ParsedArguments parsed)
    {
        const string usage = "Usage: atelier summary MODEL [--patch N] [--dropout P] [--no-batch-norm] (see `atelier models`).";
        if (parsed.Positional.Count != 1) throw new UsageException(usage);
        var options = new TrainOptions { Model = parsed.Positional[0] };
        parsed.ApplyTo(options);
        options.Validate();
        var info = ModelZoo.Get(options.Model);
        var model = info.Build(options.ModelOptionsFor(1, 28, 28, 10));
        var table = new Table().Border(TableBorder.Simple).Title($"{info.Name} ({Markup.Escape(info.Source)})")
            .AddColumn("#").AddColumn("layer").AddColumn("output shape").AddColumn(new TableColumn("parameters").RightAligned()).AddColumn(new TableColumn("FLOPs").RightAligned());
        foreach (var row in ModelSummary.Rows(model, Sample))
            table.AddRow(row.Index, Markup.Escape(row.Layer), Markup.Escape(row.OutputShape.ToString()), row.Parameters.ToString("N0", CultureInfo.InvariantCulture), row.Flops.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Total parameters: [bold]{model.ParameterCount():N0}[/]  ({model.ParameterCount() * 4 / 1024.0:F1} KiB as float32), {model.Flops(Sample) / 1e6:F2} MFLOPs per image"));
        return 0;
    }
}
