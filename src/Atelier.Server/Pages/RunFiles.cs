using Atelier.Experiments;
using Atelier.Reports;

namespace Atelier.Server.Pages;

/// <summary>Reads a run's folder for a page without letting a damaged or half-written file take the page down.</summary>
public static class RunFiles
{
    /// <returns>the data (null while the run has written nothing yet, or when its files are damaged) and, when damaged, why.</returns>
    public static (RunReportData? Data, string? Problem) Load(RunCatalog catalog, RunRecord run)
    {
        try
        {
            return (catalog.Load(run), null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException or ArgumentException)
        {
            return (null, e.Message);
        }
    }
}
