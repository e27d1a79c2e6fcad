using Atelier.Data;
using Atelier.Training;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>Finds (or downloads, with a progress bar) the dataset a command needs and splits it as the options say.</summary>
public static class DataCommand
{
    public static DataSplits Load(TrainOptions options)
    {
        var (train, test) = LoadFull(options.Data);
        return DataSplits.Create(train, test, options);
    }

    public static (Dataset Train, Dataset Test) LoadFull(string? dataDirectory)
    {
        var location = Terminal.IsPlain
            ? FashionMnist.Locate(dataDirectory, p => { if (p.BytesDone == p.TotalBytes) Console.WriteLine($"downloaded {p.FileName}"); })
            : AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn())
                .Start(ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    return FashionMnist.Locate(dataDirectory, p =>
                    {
                        if (!tasks.TryGetValue(p.FileName, out var task)) tasks[p.FileName] = task = ctx.AddTask(p.FileName, maxValue: p.TotalBytes ?? 1);
                        if (p.TotalBytes is long total) task.MaxValue = total;
                        task.Value = p.BytesDone;
                    });
                });
        return FashionMnist.LoadAny(location.Directory);
    }
}
