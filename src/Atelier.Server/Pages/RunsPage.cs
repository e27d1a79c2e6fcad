using System.Globalization;
using System.Text;
using Atelier.Experiments;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>`/`: every run in the store, sortable and filterable in the page (runs.js), with checkboxes to compare.</summary>
public static class RunsPage
{
    public static IResult Render(RunCatalog catalog)
    {
        var runs = catalog.Runs();
        var sb = new StringBuilder("<h1>Runs</h1>");
        if (runs.Count == 0)
        {
            sb.Append("<p class=\"empty\">No runs yet in ").Append(Html.E(Path.GetDirectoryName(catalog.StorePath)))
              .Append(": train one (<code>atelier train</code>) and it appears here.</p>");
            return Layout.Page("Runs", sb.ToString());
        }
        sb.Append("<form method=\"get\" action=\"/compare\" id=\"runs-form\">")
          .Append("<div class=\"toolbar\"><input type=\"search\" id=\"filter\" placeholder=\"Filter runs (id, model, experiment)\" aria-label=\"Filter runs\">")
          .Append("<select id=\"status-filter\" aria-label=\"Status\"><option value=\"\">any status</option>");
        foreach (var s in new[] { "running", "finished", "interrupted", "failed" }) sb.Append("<option>").Append(s).Append("</option>");
        sb.Append("</select><button type=\"submit\" id=\"compare-button\">Compare selected</button>")
          .Append("<span id=\"shown\" class=\"muted\"></span></div>")
          .Append("<table class=\"atelier-table\" id=\"runs\"><thead><tr><th></th>")
          .Append("<th data-sort=\"text\">Run</th><th data-sort=\"text\">Experiment</th><th data-sort=\"text\">Model</th><th data-sort=\"text\">Status</th>")
          .Append("<th data-sort=\"num\" class=\"num\">Test accuracy</th><th data-sort=\"num\" class=\"num\">Epochs</th>")
          .Append("<th data-sort=\"num\" class=\"num\">Time</th><th data-sort=\"text\">Started</th></tr></thead><tbody>");
        var now = DateTime.UtcNow;
        foreach (var r in runs) Row(sb, r, now);
        sb.Append("</tbody></table></form>");
        return Layout.Page("Runs", sb.ToString(), "runs.js");
    }

    private static void Row(StringBuilder sb, RunRecord r, DateTime now)
    {
        var time = Elapsed(r, now);
        sb.Append("<tr data-status=\"").Append(Html.E(r.Status)).Append("\">")
          .Append("<td><input type=\"checkbox\" name=\"runs\" value=\"").Append(Html.E(r.Id)).Append("\" aria-label=\"select ").Append(Html.E(r.Id)).Append("\"></td>")
          .Append("<td><a href=\"").Append(Html.E(Html.RunUrl(r.Id))).Append("\">").Append(Html.E(r.Id)).Append("</a></td><td>");
        if (r.Experiment is { } e) sb.Append("<a href=\"").Append(Html.E(Html.ExperimentUrl(e))).Append("\">").Append(Html.E(e)).Append("</a>");
        sb.Append("</td><td>").Append(Html.E(r.Model)).Append("</td>")
          .Append("<td><span class=\"status status-").Append(Html.E(r.Status)).Append("\">").Append(Html.E(r.Status)).Append("</span></td>")
          .Append("<td class=\"num\" data-value=\"").Append(Sortable(r.TestAccuracy)).Append("\">").Append(Html.Percent(r.TestAccuracy)).Append("</td>")
          .Append("<td class=\"num\">").Append(r.Epochs.ToString(CultureInfo.InvariantCulture)).Append("</td>")
          .Append("<td class=\"num\" data-value=\"").Append(Sortable(time?.TotalSeconds)).Append("\">").Append(Html.Duration(time)).Append("</td>")
          .Append("<td>").Append(Html.Time(r.Started)).Append("</td></tr>");
    }

    /// <summary>Wall time: to the end, to now while it runs, else to its last heartbeat (an interrupted run has no end).</summary>
    public static TimeSpan? Elapsed(RunRecord r, DateTime now)
    {
        DateTime? end = r.Ended ?? (r.Status == "running" ? now : r.Heartbeat);
        return end is DateTime e ? e - r.Started : null;
    }

    private static string Sortable(double? v) => v is double d && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
}
