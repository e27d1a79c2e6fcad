using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier predict CHECKPOINT IMAGE...`: each PNG converted to a 28x28 dataset-style image, the top classes with
/// probabilities. A bad image gets one sentence and the others still go; the exit code says whether any failed.
/// </summary>
public static class PredictCommand
{
    private const string Usage = "Usage: atelier predict CHECKPOINT|RUN IMAGE.png... [--top N] [--json] [--output RUNS].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("top", "N", "how many classes to show per image, most likely first (default 3)"),
        CliOption.Flag("json", "print the predictions as JSON"),
        CliOption.Training("output", "the runs folder a run id is looked up in"),
    ];

    public static CliCommand Definition { get; } = new("predict", "the top classes of your own images", "CHECKPOINT|RUN IMAGE...", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count < 2) throw new UsageException(parsed.Positional.Count == 0 ? Usage : $"No image given after the checkpoint. {Usage}");
        bool json = parsed.Flag("json", false);
        int top = 3;
        if (parsed.Value("top") is { } topText && (!int.TryParse(topText, NumberStyles.Integer, CultureInfo.InvariantCulture, out top) || top < 1))
            throw new UsageException($"--top must be a whole number of at least 1, got '{topText}'.");
        string runs = parsed.Value("output") ?? new TrainOptions().Output;

        var checkpoint = Checkpoint.Load(Checkpoint.Resolve(parsed.Positional[0], runs));
        if (top > checkpoint.ClassNames.Count)
            throw new UsageException($"--top {top} is more than the {checkpoint.ClassNames.Count} classes the model knows.");
        int failures = 0;
        var results = new List<object>();
        foreach (var path in parsed.Positional.Skip(1))
        {
            try
            {
                var image = DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(UserPaths.File(path, "predict", "image file")));
                var probabilities = checkpoint.Predict(image, 28, 28);
                var best = probabilities.Select((p, c) => (p, c)).OrderByDescending(t => t.p).Take(top).ToArray();
                if (json)
                    results.Add(new { file = path, top = best.Select(t => new { @class = checkpoint.ClassNames[t.c], index = t.c, probability = t.p }) });
                else
                    AnsiConsole.MarkupLine(Markup.Escape(path) + ": " + string.Join(", ",
                        best.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? "[bold]" : "")}{Markup.Escape(checkpoint.ClassNames[t.c])} {t.p:P1}{(i == 0 ? "[/]" : "")}"))));
            }
            catch (Exception e) when (e is ImageFormatException or BlankImageException or IOException or UnauthorizedAccessException or UsageException)
            {
                failures++;
                if (json) results.Add(new { file = path, error = e.Message });
                else Terminal.Error(e.Message);
            }
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return failures == 0 ? 0 : CommandLine.Failure;
    }
}
