using Atelier.Experiments;
using Atelier.Reports;

namespace Atelier.Server;

/// <summary>
/// The runs the server shows, read from the run store on every call (runs write it while the server reads). A run
/// is found only by an id the store holds, so no request can name a path: `../` and absolute paths find nothing.
/// </summary>
public sealed class RunCatalog(ServerOptions options)
{
    public string StorePath => Path.Combine(Path.GetFullPath(options.Runs), "atelier.db");

    /// <summary>Every run, newest first, dead runs shown as interrupted; empty when nothing was trained yet.</summary>
    public List<RunRecord> Runs(string? experiment = null)
    {
        if (!File.Exists(StorePath)) return [];
        using var store = new RunStore(StorePath, readOnly: true);
        return store.Runs(experiment);
    }

    public RunRecord? Find(string id) => Runs().FirstOrDefault(r => r.Id == id);

    /// <summary>The experiments that have runs, by name.</summary>
    public List<string> Experiments() => Runs().Select(r => r.Experiment).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>A run's folder as the report reads it (history, results, per-class metrics); null while it has no options yet.</summary>
    public RunReportData? Load(RunRecord run) => RunReportData.IsRunFolder(run.Folder) ? RunReportData.Load(run.Folder) : null;

    /// <summary>
    /// <see cref="Load"/> for the pages and the API: a run being written or a damaged file is the store's data, not a
    /// server error, so it comes back as one sentence beside no data.
    /// </summary>
    public (RunReportData? Data, string? Problem) TryLoad(RunRecord run)
    {
        try
        {
            return (Load(run), null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or ArgumentException or UnauthorizedAccessException)
        {
            return (null, $"The folder of run {run.Id} cannot be read: {e.Message.TrimEnd('.')}.");
        }
    }
}
