using System.Globalization;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier predict CHECKPOINT IMAGE...`: each PNG converted to a 28x28 dataset-style image, top-3 classes with
/// probabilities. A bad image gets one sentence and the others still go; the exit code says whether any failed.
/// </summary>
public static class PredictCommand
{
    public static int Run(string[] args)
    {
        bool json = args.Contains("--json");
        var rest = args.Where(a => a != "--json").ToList();
        string runs = new TrainOptions().Output;
        if (rest.Count < 2) throw new UsageException("Usage: atelier predict CHECKPOINT|RUN IMAGE.png... [--json].");
        var checkpoint = Checkpoint.Load(Checkpoint.Resolve(rest[0], runs));
        int failures = 0;
        var results = new List<object>();
        foreach (var path in rest.Skip(1))
        {
            try
            {
                var image = DatasetImagePreprocessor.ToDatasetImage(PngDecoder.Decode(path));
                var probabilities = checkpoint.Predict(image, 28, 28);
                var top = probabilities.Select((p, c) => (p, c)).OrderByDescending(t => t.p).Take(3).ToArray();
                if (json)
                    results.Add(new { file = path, top = top.Select(t => new { @class = checkpoint.ClassNames[t.c], index = t.c, probability = t.p }) });
                else
                    AnsiConsole.MarkupLine(Markup.Escape(path) + ": " + string.Join(", ",
                        top.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? "[bold]" : "")}{Markup.Escape(checkpoint.ClassNames[t.c])} {t.p:P1}{(i == 0 ? "[/]" : "")}"))));
            }
            catch (Exception e) when (e is PngFormatException or IOException or UnauthorizedAccessException)
            {
                failures++;
                if (json) results.Add(new { file = path, error = e.Message });
                else CommandLine.Error(e.Message);
            }
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        return failures == 0 ? 0 : CommandLine.Failure;
    }
}
