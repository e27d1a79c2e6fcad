using Atelier.Training;

namespace Atelier.Cli;

/// <summary>Finds a run folder from what the user typed: a path, or a run id under the runs folder.</summary>
public static class RunLocator
{
    /// <param name="option">how the run was given ("--resume", "the run"), for the message.</param>
    public static RunFolder Folder(string runOrPath, string runsRoot, string option = "the run")
    {
        if (runOrPath.Trim().Length == 0) throw new UsageException($"{option} needs a run folder or id, got an empty value.");
        if (Directory.Exists(runOrPath)) return new RunFolder(runOrPath);
        // An experiment run's id is "experiment/label", which is also its folder under the runs folder.
        string underRoot = Path.Combine(runsRoot, runOrPath);
        if (Directory.Exists(underRoot)) return new RunFolder(underRoot);
        if (File.Exists(runOrPath)) throw new UsageException($"{option}: '{runOrPath}' is a file, not a run folder; give the run's folder or its id.");
        throw new DirectoryNotFoundException($"No run '{runOrPath}': give a run folder or the id of a run under '{runsRoot}' (`atelier runs` lists them).");
    }
}
