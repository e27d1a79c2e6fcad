using System.Globalization;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>The end-of-run tables: headline metrics, per-class precision/recall/F1, the confusion matrix.</summary>
public static class ResultTables
{
    public static void Print(RunResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine(string.Create(inv,
            $"[bold]Test accuracy {r.Report.Accuracy:P2}[/]  loss {r.Test.Loss:F4}  macro F1 {r.Report.MacroF1:F4}  best epoch {r.BestEpoch}  training {r.TrainingSeconds:F0}s ({r.ImagesPerSecond:N0} img/s)"));
        PrintReport(r.Report, r.ClassNames);
        PrintConfusion(r.Matrix, r.ClassNames);
        AnsiConsole.MarkupLine($"Run folder: [link]{Markup.Escape(r.Folder.Path)}[/]");
    }

    public static void PrintReport(ClassificationReport report, IReadOnlyList<string> classNames)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded).Title("per-class metrics (test)")
            .AddColumn("class").AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        for (int c = 0; c < report.Classes; c++)
            table.AddRow(Markup.Escape(classNames[c]), report.Precision[c].ToString("F4", inv), report.Recall[c].ToString("F4", inv),
                report.F1[c].ToString("F4", inv), report.Support[c].ToString(inv));
        table.AddEmptyRow();
        table.AddRow("macro avg", report.MacroPrecision.ToString("F4", inv), report.MacroRecall.ToString("F4", inv), report.MacroF1.ToString("F4", inv), report.TotalSupport.ToString(inv));
        table.AddRow("weighted avg", report.WeightedPrecision.ToString("F4", inv), report.WeightedRecall.ToString("F4", inv), report.WeightedF1.ToString("F4", inv), report.TotalSupport.ToString(inv));
        AnsiConsole.Write(table);
    }

    public static void PrintConfusion(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var table = new Table().Border(TableBorder.Simple).Title("confusion matrix (rows: actual, columns: predicted)").AddColumn("");
        for (int c = 0; c < matrix.Classes; c++) table.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        for (int a = 0; a < matrix.Classes; a++)
        {
            var row = new List<string> { Markup.Escape($"{a} {classNames[a]}") };
            for (int p = 0; p < matrix.Classes; p++)
            {
                string n = matrix[a, p].ToString(CultureInfo.InvariantCulture);
                row.Add(a == p ? $"[green]{n}[/]" : matrix[a, p] == 0 ? "[grey]0[/]" : n);
            }
            table.AddRow(row.ToArray());
        }
        AnsiConsole.Write(table);
    }
}
