using Atelier.Data;
using Atelier.Imaging;
using Atelier.Serialization;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>Dispatches `atelier COMMAND ...` and turns every error a user can cause into one sentence and an exit code.</summary>
public static class CommandLine
{
    public const int UsageError = 2;
    public const int Failure = 1;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage();
            return args.Length == 0 ? UsageError : 0;
        }
        var rest = args[1..];
        try
        {
            return args[0] switch
            {
                "train" => TrainCommand.Run(rest),
                "evaluate" => EvaluateCommand.Run(rest),
                "predict" => PredictCommand.Run(rest),
                "models" => ModelsCommand.List(rest),
                "summary" => ModelsCommand.Summary(rest),
                "experiment" => ExperimentCommand.Run(rest), "report" => ReportCommand.Run(rest),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Commands: train, evaluate, predict, models, summary, experiment, report (`atelier --help`)."),
            };
        }
        catch (OperationCanceledException)
        {
            Error("Interrupted: the last completed epoch is saved; continue with `atelier train --resume RUN`.");
            return Interrupted;
        }
        catch (Exception e) when (IsUserError(e))
        {
            Error(e.Message);
            return e is UsageException or ArgumentException ? UsageError : Failure;
        }
        finally
        {
            await Console.Out.FlushAsync();
        }
    }

    /// <summary>Errors that a user's input causes; anything else is a bug and keeps its stack trace.</summary>
    private static bool IsUserError(Exception e) => e is UsageException or ArgumentException or IOException or UnauthorizedAccessException
        or InvalidDataException or DataFileException or InvalidModelFileException or PngFormatException or NonFiniteLossException
        or FileNotFoundException or DirectoryNotFoundException;

    public static void Error(string message)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine($"error: {message}");
            return;
        }
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        stderr.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }

    private static void PrintUsage()
    {
        var defaults = new TrainOptions();
        Console.WriteLine($"""
            atelier — train, compare and report on Fashion-MNIST classifiers

            Commands:
              train [--option value ...]        train a model (default: {defaults.Model}, {defaults.Epochs} epochs); --help lists options
              train --resume RUN                continue an interrupted run
              train --config FILE.yaml          read options from a YAML file (command-line options win)
              evaluate RUN|CHECKPOINT           test-set metrics of a saved model
              predict CHECKPOINT IMAGE.png...   classify your own images (--json for machines)
              models                            the model zoo with parameters and FLOPs
              summary MODEL                     a model's layer table
              experiment FILE.yaml [--scale S]  run a study's runs (skips finished ones), compare them, write its report
              report RUN|EXPERIMENT... [-o F]   one self-contained HTML report with every figure (+ SVG files)
            """);
    }
}

/// <summary>A mistake in the command line itself.</summary>
public sealed class UsageException(string message) : Exception(message);
