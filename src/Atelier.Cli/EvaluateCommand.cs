using System.Globalization;
using Atelier.Data;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>`atelier evaluate RUN|CHECKPOINT`: the test-set tables for a saved model.</summary>
public static class EvaluateCommand
{
    private const string Usage = "Usage: atelier evaluate RUN|CHECKPOINT [--data DIR] [--test-size N] [--tta auto|flip|none] [--output RUNS] [--threads N].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Training("data"), CliOption.Training("test-size"), CliOption.Training("threads"),
        CliOption.Training("tta", "test-time augmentation: flip, none, or auto (as the run was trained); default: the run's own"),
        CliOption.Training("output", "the runs folder a run id is looked up in"),
    ];

    public static CliCommand Definition { get; } = new("evaluate", "test-set accuracy, per-class metrics and confusion matrix of a saved model", "RUN|CHECKPOINT", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count != 1) throw new UsageException(parsed.Positional.Count == 0 ? Usage : $"One run or checkpoint at a time; got {parsed.Positional.Count}. {Usage}");
        var options = new TrainOptions();
        parsed.ApplyTo(options);
        options.Validate();
        if (options.Threads > 0) Kernels.Workers.ThreadCount = options.Threads;

        var checkpoint = Checkpoint.Load(Checkpoint.Resolve(parsed.Positional[0], options.Output));
        var (_, fullTest) = DataCommand.LoadFull(options.Data);
        if (fullTest.ClassCount != checkpoint.ClassNames.Count)
            throw new InvalidDataException($"The checkpoint has {checkpoint.ClassNames.Count} classes but the test set has {fullTest.ClassCount}: it was trained on other data.");
        var test = options.TestSize > 0 && options.TestSize < fullTest.Count ? fullTest.Subset(Enumerable.Range(0, options.TestSize).ToArray(), "test") : fullTest;
        // Test-time augmentation as the run was trained to be evaluated, unless the command line says otherwise.
        var trained = checkpoint.Options.Clone();
        if (parsed.Has("tta")) trained.Tta = options.Tta;
        bool tta = trained.UsesFlipTta;
        var evaluation = Evaluator.Evaluate(checkpoint.Inference, new DataLoader(test, 256, checkpoint.Normalization), checkpoint.ClassNames.Count, tta);
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
