using System.Text.Json;
using Atelier.Experiments;
using Atelier.Reports;

namespace Atelier.Server.Api;

/// <summary>
/// Reads a run's folder for the API. A run being written or a damaged file is the store's data, not a server error:
/// the answer carries the reason as one sentence beside the store's row.
/// </summary>
public static class RunFolderReader
{
    public static (RunReportData? Data, string? Unreadable) Read(RunCatalog catalog, RunRecord run)
    {
        try
        {
            return (catalog.Load(run), null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            return (null, $"The folder of run {run.Id} cannot be read: {e.Message.TrimEnd('.')}.");
        }
    }
}
