using Atelier.Data;
using Atelier.Imaging;
using Atelier.Serialization;
using Atelier.Training;

namespace Atelier.Cli;

/// <summary>Dispatches `atelier COMMAND ...` and turns every error a user can cause into one sentence and an exit code.</summary>
public static class CommandLine
{
    public const int UsageError = 2;
    public const int Failure = 1;
    public const int Interrupted = 130;

    public static readonly string[] Commands = ["train", "evaluate", "predict", "models", "summary", "experiment", "report", "runs", "export"];

    /// <summary>Runs a command on the real console (see <see cref="Terminal.UseConsole"/>); returns the exit code.</summary>
    public static int Run(string[] args)
    {
        int code;
        try
        {
            code = Dispatch(args);
            Console.Out.Flush();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Terminal.Error(e.Message);
            code = e is UsageException or ArgumentException ? UsageError : Failure;
        }
        return code;
    }

    /// <summary>Runs a command with its output captured (the in-process CLI tests); the console is restored after.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        try
        {
            Terminal.UseWriters(stdout, stderr);
            return Run(args);
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    private static int Dispatch(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            if (args.Length > 1) throw new UsageException($"`atelier {args[0]}` takes nothing after it; `atelier COMMAND --help` shows a command's options.");
            PrintUsage();
            return args.Length == 0 ? UsageError : 0;
        }
        var rest = args[1..];
        return args[0] switch
        {
            "train" => TrainCommand.Run(rest),
            "evaluate" => EvaluateCommand.Run(rest),
            "predict" => PredictCommand.Run(rest),
            "models" => ModelsCommand.List(rest),
            "summary" => ModelsCommand.Summary(rest),
            "experiment" => ExperimentCommand.Run(rest),
            "report" => ReportCommand.Run(rest),
            "runs" => RunsCommand.Run(rest),
            "export" => ExportCommand.Run(rest),
            _ => throw new UsageException(UnknownCommand(args[0])),
        };
    }

    private static string UnknownCommand(string name) =>
        Suggestion.Closest(name.ToLowerInvariant(), Commands) is { } closest
            ? $"Unknown command '{name}'. Did you mean `atelier {closest}`? (`atelier --help` lists the commands.)"
            : $"Unknown command '{name}'. Commands: {string.Join(", ", Commands)} (`atelier --help`).";

    /// <summary>Errors that a user's input causes; anything else is a bug and keeps its stack trace.</summary>
    private static bool IsUserError(Exception e) => e is UsageException or ArgumentException or IOException or UnauthorizedAccessException
        or InvalidDataException or DataFileException or InvalidModelFileException or PngFormatException or NonFiniteLossException
        or RunConflictException;

    public static void Error(string message) => Terminal.Error(message);

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
              runs [--status S] [--json]        the run store: every run, newest first, dead runs shown as interrupted
              export RUN|CHECKPOINT [-o FILE]   the model as ONNX (raw pixels in, logits out) or --format safetensors

            `atelier COMMAND --help` lists a command's options.
            """);
    }
}

/// <summary>A mistake in the command line itself.</summary>
public sealed class UsageException(string message) : Exception(message);
