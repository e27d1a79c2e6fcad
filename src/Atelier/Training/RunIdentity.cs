using System.Text.Json;

namespace Atelier.Training;

/// <summary>
/// Who a run is, written once into its folder (run.json) when the folder is claimed: its id in the run store and
/// where that store is. A resume reads it back, so a run keeps one id and one store row for its whole life however
/// its folder is named on the command line (id, relative or absolute path, trailing slash).
/// </summary>
/// <param name="Id">the run's id in the store.</param>
/// <param name="Experiment">the experiment the run belongs to; null for a run of its own.</param>
/// <param name="Store">the run store's path relative to the run folder (e.g. "../atelier.db"), so a moved runs folder keeps working.</param>
public sealed record RunIdentity(string Id, string? Experiment, string Store)
{
    public const string FileName = "run.json";

    /// <summary>Experiment runs are named by their label, which another experiment may use too: their id carries the experiment.</summary>
    public static RunIdentity For(RunFolder folder, string? experiment, string storePath)
    {
        experiment = string.IsNullOrEmpty(experiment) ? null : experiment;
        string id = experiment is null ? folder.Id : $"{experiment}/{folder.Id}";
        return new RunIdentity(id, experiment, Path.GetRelativePath(folder.Path, Path.GetFullPath(storePath)));
    }

    /// <summary>The identity file of <paramref name="folder"/>; null for folders made before it existed.</summary>
    public static RunIdentity? Read(RunFolder folder)
    {
        string path = folder.File(FileName);
        if (!File.Exists(path)) return null;
        var identity = RunFolder.ReadJson<RunIdentity>(path, "a run's id, experiment and store");
        if (string.IsNullOrWhiteSpace(identity.Id) || string.IsNullOrWhiteSpace(identity.Store))
            throw new InvalidDataException($"{path} is damaged: it names no run id or no run store; restore it or delete the run folder.");
        return identity;
    }

    /// <summary>The store's full path, for a run in <paramref name="folder"/>.</summary>
    public string StorePath(RunFolder folder) => Path.GetFullPath(Path.Combine(folder.Path, Store));
}
