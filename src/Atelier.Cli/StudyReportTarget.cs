using Atelier.Tuning;

namespace Atelier.Cli;

/// <summary>A study that `atelier report` was pointed at, by name or by its folder runs/&lt;study&gt;/, with the storage that holds it.</summary>
internal sealed record StudyReportTarget(IStudyStorage Storage, StudyRecord Record, string Folder)
{
    /// <summary>The study, or null when <paramref name="target"/> names none (it is then a run or an experiment).</summary>
    public static StudyReportTarget? Find(string target, string runsRoot, string? storageUrl)
    {
        string trimmed = target.TrimEnd('/', '\\');
        bool isFolder = Directory.Exists(trimmed);
        string name = isFolder ? Path.GetFileName(Path.GetFullPath(trimmed)) : trimmed;
        if (name.Length == 0) return null;
        string root = isFolder ? Path.GetDirectoryName(Path.GetFullPath(trimmed))! : runsRoot;
        if (storageUrl is null && !File.Exists(Path.Combine(root, TuneStorage.DefaultFile))) return null;
        var storage = TuneStorage.Open(storageUrl, root, readOnly: true);
        if (storage.FindStudy(name) is { } record) return new StudyReportTarget(storage, record, Path.Combine(root, name));
        // Named with --storage, the target can only be a study; otherwise it may still be a run or an experiment.
        string? missing = storageUrl is not null && !isFolder ? TrialsCommand.NoStudy(name, storage) : null;
        storage.Dispose();
        return missing is null ? null : throw new InvalidDataException(missing);
    }
}
