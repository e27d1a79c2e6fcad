using System.Text;
using Atelier.Experiments;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>`/compare?runs=a,b` (or `runs=a&amp;runs=b`, as the runs page's form sends): overlaid curves and key metrics; `/compare.csv` the table.</summary>
public static class ComparePage
{
    public static IResult Render(RunCatalog catalog, HttpRequest request)
    {
        var (runs, missing) = Selected(catalog, request);
        var sb = new StringBuilder("<h1>Compare runs</h1>");
        foreach (var m in missing) sb.Append("<p class=\"error\">There is no run \"").Append(Html.E(m)).Append("\" in this run store.</p>");
        if (runs.Count == 0)
        {
            sb.Append("<p>Pick runs to compare on the <a href=\"/\">runs page</a>.</p>");
            return Layout.Page("Compare", sb.ToString(), missing.Count > 0 ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
        }
        var ids = runs.Select(r => r.Id).ToList();
        sb.Append("<p><a class=\"button\" href=\"").Append(Html.E(Html.CompareUrl(ids, "/compare.csv"))).Append("\" download>Download the table as CSV</a></p>")
          .Append(Comparison.Load(catalog, runs).ToHtml());
        return Layout.Page("Compare", sb.ToString());
    }

    public static IResult Csv(RunCatalog catalog, HttpRequest request)
    {
        var (runs, missing) = Selected(catalog, request);
        if (missing.Count > 0) return Layout.NotFound($"There is no run \"{missing[0]}\" in this run store.");
        var table = Comparison.Load(catalog, runs).KeyMetrics();
        var sb = new StringBuilder();
        sb.AppendJoin(',', table.Header.Select(Cell)).Append("\r\n");
        foreach (var row in table.Rows) sb.AppendJoin(',', row.Select(Cell)).Append("\r\n");
        return Results.File(Encoding.UTF8.GetBytes(sb.ToString()), "text/csv; charset=utf-8", "atelier-compare.csv");
    }

    /// <summary>
    /// The runs asked for, in the order given, each once. A value that is a run id is taken whole (ids may hold a
    /// comma); otherwise it is split at commas.
    /// </summary>
    public static (List<RunRecord> Runs, List<string> Missing) Selected(RunCatalog catalog, HttpRequest request)
    {
        var all = catalog.Runs().ToDictionary(r => r.Id, StringComparer.Ordinal);
        var runs = new List<RunRecord>();
        var missing = new List<string>();
        foreach (var value in request.Query["runs"])
        {
            if (string.IsNullOrEmpty(value)) continue;
            foreach (var id in all.ContainsKey(value) ? [value] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!all.TryGetValue(id, out var run)) missing.Add(id);
                else if (!runs.Contains(run)) runs.Add(run);
            }
        }
        return (runs, missing);
    }

    /// <summary>RFC 4180 quoting; a text cell a spreadsheet would run as a formula (=, +, -, @) gets a leading apostrophe.</summary>
    private static string Cell(string text)
    {
        if (text.Length > 0 && "=+-@\t\r".Contains(text[0]) && text != "-" && !double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _))
            text = "'" + text;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}
