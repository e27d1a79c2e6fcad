using Atelier.Data;
using Atelier.Reports;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// `atelier report RUN|EXPERIMENT...|STUDY [--output FILE.html] [--data DIR] [--runs DIR] [--storage URL]`: one
/// self-contained HTML page with every figure, and each figure as an SVG file in FILE-figures/ beside it. A study (its
/// name or its folder) gets Optuna's figures instead.
/// </summary>
public static class ReportCommand
{
    private const string Usage = "Usage: atelier report RUN|EXPERIMENT...|STUDY [--output FILE.html] [--data DIR] [--runs DIR] [--storage URL].";

    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("output", "FILE.html", "where to write the page (default: report.html in the run's folder)", alias: "-o"),
        CliOption.Training("data", "the dataset, for the figures that show images (never downloaded for a report)"),
        CliOption.Value("runs", "DIR", "the runs folder run ids and studies are looked up in (default: runs)"),
        CliOption.Value("storage", "URL", "the study storage, for a study's report (default: RUNS/tuning.db)"),
    ];

    public static CliCommand Definition { get; } = new("report", "one self-contained HTML report with every figure (and each as SVG)", "RUN|EXPERIMENT...|STUDY", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        var targets = parsed.Positional;
        if (targets.Count == 0) throw new UsageException(Usage);
        string? output = parsed.Value("output"), data = parsed.Value("data");
        string runsRoot = parsed.Value("runs") ?? "runs";
        if (output is { } o && o.Trim().Length == 0) throw new UsageException("--output needs a file name, got an empty value.");
        if (output is not null && Directory.Exists(output)) throw new UsageException($"--output: '{output}' is a folder; name the .html file to write.");

        if (targets.Count == 1 && StudyReportTarget.Find(targets[0], runsRoot, parsed.Value("storage")) is { } study)
        {
            using (study.Storage)
            {
                string page = output ?? Path.Combine(Directory.Exists(study.Folder) ? study.Folder : ".", study.Record.Name + "-report.html");
                string written = StudyReport.Write(study.Record, study.Storage.Trials(study.Record.Id), page);
                AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(written)}[/]");
                return 0;
            }
        }
        var runs = new List<RunReportData>();
        var folders = new List<string>();
        foreach (var target in targets)
        {
            string folder = RunLocator.Folder(target, runsRoot, "report").Path;
            folders.Add(folder);
            if (RunReportData.IsRunFolder(folder)) runs.Add(RunReportData.Load(folder));
            else runs.AddRange(RunReportData.LoadExperiment(folder));
        }
        output ??= folders.Count == 1 ? Path.Combine(folders[0], "report.html") : "report.html";
        if (!output.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !output.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--output must name an .html file, got '{output}'.");

        string title = folders.Count == 1 ? $"Atelier report: {Path.GetFileName(folders[0])}" : $"Atelier report: {runs.Count} runs";
        var path = Write(title, runs, TestSet(data), output);
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(path)}[/]");
        return 0;
    }

    /// <summary>Builds and writes the report; notes about left-out figures go to the console. Returns the page's full path.</summary>
    public static string Write(string title, IReadOnlyList<RunReportData> runs, Dataset? test, string output)
    {
        string subtitle = $"{runs.Count} run{(runs.Count == 1 ? "" : "s")}: {string.Join(", ", runs.Select(r => r.Label))}";
        var report = ExperimentReport.Build(title, subtitle, runs, test, note => Console.WriteLine($"note: {note}"));
        ExperimentReport.Write(report, output);
        return Path.GetFullPath(output);
    }

    /// <summary>The test set when it is on disk (--data, ATELIER_DATA or the cache); a report never downloads it.</summary>
    public static Dataset? TestSet(string? data)
    {
        string? folder = !string.IsNullOrWhiteSpace(data) ? data : Environment.GetEnvironmentVariable(FashionMnist.DataEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            folder = FashionMnist.DefaultCacheDirectory();
            if (IdxFolder.MissingFiles(folder).Count > 0) return null;
        }
        else if (!string.IsNullOrWhiteSpace(data) && !Directory.Exists(data))
            throw new DirectoryNotFoundException($"The data folder '{data}' given with --data does not exist.");
        try
        {
            // Only the test files: the 60,000 training images are not needed for a report.
            if (IdxFolder.FindFile(folder, IdxFolder.TestImages) is not { } imagesPath || IdxFolder.FindFile(folder, IdxFolder.TestLabels) is not { } labelsPath)
                throw new DataFileException($"{folder} has no test images and labels.");
            var images = IdxReader.ReadImages(imagesPath);
            var labels = IdxReader.ReadLabels(labelsPath);
            string classesPath = Path.Combine(folder, IdxFolder.ClassesFile);
            IReadOnlyList<string> names = File.Exists(classesPath)
                ? File.ReadAllLines(classesPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToList()
                : labels.Length > 0 && labels.Max() < FashionMnist.ClassNames.Count ? FashionMnist.ClassNames
                : Enumerable.Range(0, labels.Length == 0 ? 1 : labels.Max() + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            return new Dataset(images.Pixels, labels, images.Rows, images.Cols, names, "test");
        }
        catch (Exception e) when (e is DataFileException or IOException or InvalidDataException or ArgumentException)
        {
            Console.WriteLine($"note: the dataset in '{folder}' could not be read ({e.Message}); figures with images are left out.");
            return null;
        }
    }
}
