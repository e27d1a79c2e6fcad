using Atelier.Training;

namespace Atelier.Experiments;

/// <summary>
/// An experiment's name and its runs' labels become folders (runs/&lt;name&gt;/&lt;label&gt;/), so they must be safe folder
/// names, and no two runs may share a folder: the second would be skipped as "finished" and reported twice.
/// </summary>
internal static class ExperimentLabels
{
    /// <summary>Longer names risk the file system's 255-byte limit once a run folder's files are inside.</summary>
    public const int MaxLength = 200;

    private static readonly char[] Forbidden = ['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

    public static void CheckName(string name, long? line, string path)
    {
        string where = line is { } l ? $"{path}, line {l}" : $"{path} (the experiment is named after the file)";
        // '..' or '/etc' would put the experiment's folders, which the runner deletes and rewrites, outside runs/.
        if (name.Trim().Length == 0 || name.Trim('.').Length == 0 || name.IndexOfAny(Forbidden) >= 0 || name.Length > MaxLength)
            throw new InvalidDataException(YamlText.OneLine($"{where}: the experiment name '{YamlValue.Shorten(name)}' cannot name its folder; use letters, digits, '-', '_' and '.' (at most {MaxLength} characters)."));
    }

    public static void CheckUnique(List<PlannedRun> runs, string path)
    {
        var byLabel = new Dictionary<string, PlannedRun>(StringComparer.Ordinal);
        // Case-insensitive: on Windows and macOS 'Adam' and 'adam' are one folder, and an experiment file travels.
        var byFolder = new Dictionary<string, PlannedRun>(StringComparer.OrdinalIgnoreCase);
        foreach (var run in runs)
        {
            string label = run.Run.Label;
            string folder = ExperimentRunner.Sanitize(label);
            if (folder.Trim('.').Length == 0 || folder.Length > MaxLength)
                throw new InvalidDataException(YamlText.OneLine($"{path}, run '{YamlValue.Shorten(label)}' ({run.Origin}): the label cannot name a run folder; give it a 'label' of letters, digits, '-', '_', '.' and '=' (at most {MaxLength} characters)."));
            if (byLabel.TryGetValue(label, out var twin))
                throw new InvalidDataException(YamlText.OneLine($"{path}: two runs have the label '{YamlValue.Shorten(label)}' ({twin.Origin} and {run.Origin}); labels name the run folders, so give each run its own."));
            if (byFolder.TryGetValue(folder, out var clash))
            {
                string other = ExperimentRunner.Sanitize(clash.Run.Label);
                string folders = other == folder ? $"both make the run folder '{YamlValue.Shorten(folder)}'"
                    : $"make the run folders '{YamlValue.Shorten(other)}' and '{YamlValue.Shorten(folder)}', one folder where file names ignore case (Windows, macOS)";
                throw new InvalidDataException(YamlText.OneLine($"{path}: the labels '{YamlValue.Shorten(clash.Run.Label)}' ({clash.Origin}) and '{YamlValue.Shorten(label)}' ({run.Origin}) {folders}; change one of them."));
            }
            byLabel[label] = run;
            byFolder[folder] = run;
        }
    }
}
