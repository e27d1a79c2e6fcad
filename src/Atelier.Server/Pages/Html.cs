using System.Globalization;
using System.Net;

namespace Atelier.Server.Pages;

/// <summary>Escaping and formatting shared by the pages: everything a user named (runs, experiments, classes) goes through <see cref="E"/>.</summary>
public static class Html
{
    /// <summary>HTML-escapes text for element content and double- or single-quoted attributes alike.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>The page of a run: each segment of its id percent-encoded, its '/' kept (the route takes the rest of the path).</summary>
    public static string RunUrl(string id) => "/runs/" + Segments(id);

    public static string EventsUrl(string id) => "/events/" + Segments(id);

    public static string ChartUrl(string id) => "/charts/" + Segments(id);

    public static string ExperimentUrl(string name) => "/experiments/" + Segments(name);

    public static string CompareUrl(IEnumerable<string> ids, string path = "/compare")
        => path + "?" + string.Join('&', ids.Select(id => "runs=" + Uri.EscapeDataString(id)));

    public static string Percent(double? fraction) => fraction is double f && double.IsFinite(f) ? (100 * f).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-";

    public static string Number(double v, string format = "0.000") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string Duration(TimeSpan? span)
    {
        if (span is not TimeSpan t || t < TimeSpan.Zero) return "-";
        if (t.TotalSeconds < 60) return t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        if (t.TotalMinutes < 60) return $"{(int)t.TotalMinutes} min {t.Seconds:00} s";
        return $"{(int)t.TotalHours} h {t.Minutes:00} min";
    }

    /// <summary>UTC, to the second, in a form that sorts as text.</summary>
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string Segments(string id) => string.Join('/', id.Split('/').Select(Uri.EscapeDataString));
}
