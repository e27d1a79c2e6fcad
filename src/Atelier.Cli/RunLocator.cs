using Atelier.Training;

namespace Atelier.Cli;

/// <summary>Finds a run folder from what the user typed: a path, or a run id under the runs folder.</summary>
public static class RunLocator
{
    public static RunFolder Folder(string runOrPath, string runsRoot)
    {
        if (Directory.Exists(runOrPath)) return new RunFolder(runOrPath);
        string underRoot = Path.Combine(runsRoot, runOrPath);
        if (Directory.Exists(underRoot)) return new RunFolder(underRoot);
        throw new DirectoryNotFoundException($"No run '{runOrPath}': give a run folder or the id of a run under '{runsRoot}'.");
    }
}
