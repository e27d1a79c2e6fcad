using System.Globalization;
using Atelier.Data;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>`atelier evaluate RUN|CHECKPOINT`: the test-set tables for a saved model.</summary>
public static class EvaluateCommand
{
    public static int Run(string[] args)
    {
        var options = new TrainOptions();
        var extras = new Dictionary<string, string?>();
        var positional = OptionParser.Apply(args, options, extras);
        if (positional.Count != 1) throw new UsageException("Usage: atelier evaluate RUN|CHECKPOINT [--data DIR] [--test-size N] [--tta auto|flip|none].");
        var checkpoint = Checkpoint.Load(Checkpoint.Resolve(positional[0], options.Output));
        var (_, fullTest) = DataCommand.LoadFull(options.Data);
        if (fullTest.ClassCount != checkpoint.ClassNames.Count)
            throw new InvalidDataException($"The checkpoint has {checkpoint.ClassNames.Count} classes but the test set has {fullTest.ClassCount}: it was trained on other data.");
        var test = options.TestSize > 0 && options.TestSize < fullTest.Count ? fullTest.Subset(Enumerable.Range(0, options.TestSize).ToArray(), "test") : fullTest;
        // Test-time augmentation as the run was trained to be evaluated, unless the command line says otherwise.
        var trained = checkpoint.Options.Clone();
        if (args.Any(a => a.StartsWith("--tta", StringComparison.Ordinal))) trained.Tta = options.Tta;
        if (!TrainOptions.IsTtaMode(trained.Tta)) throw new UsageException($"--tta must be auto, flip or none, got '{trained.Tta}'.");
        bool tta = trained.UsesFlipTta;
        var evaluation = Evaluator.Evaluate(checkpoint.Model, new DataLoader(test, 256, checkpoint.Normalization), checkpoint.ClassNames.Count, tta);
        var matrix = new ConfusionMatrix(checkpoint.ClassNames.Count);
        matrix.Add(evaluation.Actual, evaluation.Predicted);
        var report = matrix.Report();
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]{Markup.Escape(checkpoint.ModelName)}[/] on {test.Count:N0} test images{(tta ? " (flip TTA)" : "")}: accuracy [bold]{report.Accuracy:P2}[/], loss {evaluation.Loss:F4}, macro F1 {report.MacroF1:F4}"));
        ResultTables.PrintReport(report, checkpoint.ClassNames);
        ResultTables.PrintConfusion(matrix, checkpoint.ClassNames);
        return 0;
    }
}
