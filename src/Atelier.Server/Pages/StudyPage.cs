using System.Globalization;
using System.Text;
using Atelier.Reports;
using Atelier.Server.Api;
using Atelier.Tuning;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>`/studies` and `/studies/{name}`: the tuning studies, and one study's figures from <see cref="StudyReport"/>; a study with running trials reloads every 5 s.</summary>
public static class StudyPage
{
    public static IResult List(ServerOptions options)
    {
        var sb = new StringBuilder("<h1>Studies</h1>");
        var studies = StudyEndpoints.List(options.Studies);
        if (options.Studies is null) sb.Append("<p>This server was started without a study storage, so it shows no studies.</p>");
        else if (studies.Count == 0) sb.Append("<p>No studies in ").Append(Html.E(options.Studies.Describe)).Append(" yet.</p>");
        else
        {
            sb.Append("<table class=\"studies\"><thead><tr><th>Study</th><th>Direction</th><th>Trials</th><th>Complete</th><th>Pruned</th><th>Failed</th><th>Running</th><th>Best value</th><th>Best trial</th></tr></thead><tbody>");
            foreach (var s in studies)
                sb.Append("<tr><td><a href=\"/studies/").Append(Html.E(Uri.EscapeDataString(s.Name))).Append("\">").Append(Html.E(s.Name)).Append("</a></td><td>")
                  .Append(s.Direction).Append("</td><td>").Append(s.Trials).Append("</td><td>").Append(s.States["complete"]).Append("</td><td>")
                  .Append(s.States["pruned"]).Append("</td><td>").Append(s.States["fail"]).Append("</td><td>").Append(s.States["running"]).Append("</td><td>")
                  .Append(s.BestValue is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "-").Append("</td><td>")
                  .Append(s.BestTrial?.ToString(CultureInfo.InvariantCulture) ?? "-").Append("</td></tr>");
            sb.Append("</tbody></table>");
        }
        return Layout.Page("Studies", sb.ToString());
    }

    public static IResult Render(ServerOptions options, string? name)
    {
        if (StudyEndpoints.Find(options.Studies, name) is not { } found) return Layout.NotFound(StudyEndpoints.Unknown(options.Studies, name));
        var (record, trials) = found;
        bool live = trials.Any(t => t.State is TrialState.Running or TrialState.Waiting);
        var notes = new List<string>();
        var figures = StudyReport.Figures(record, trials, notes.Add);
        var best = Study.Best(trials, record.Direction);
        var sb = new StringBuilder("<div class=\"study\"").Append(live ? " data-live=\"5\"" : "").Append("><h1>Study ").Append(Html.E(record.Name)).Append("</h1><p>")
            .Append(record.Direction.ToString().ToLowerInvariant()).Append(" · ").Append(trials.Count).Append(trials.Count == 1 ? " trial" : " trials")
            .Append(live ? " · running: this page reloads every 5 s" : "").Append("</p>");
        if (best is not null) sb.Append(StudyReport.BestTable(best).ToHtml());
        foreach (var f in figures)
            sb.Append("<section class=\"study-figure\"><h2>").Append(Html.E(f.Heading)).Append("</h2><figure>").Append(f.Svg)
              .Append("<figcaption>").Append(Html.E(f.Caption)).Append("</figcaption></figure></section>");
        if (notes.Count > 0) sb.Append("<section><h2>Figures left out</h2><ul>").Append(string.Concat(notes.Select(n => "<li>" + Html.E(n) + "</li>"))).Append("</ul></section>");
        if (trials.Count > 0) sb.Append("<section><h2>Trials</h2>").Append(StudyReport.TrialTable(trials, best).ToHtml()).Append("</section>");
        sb.Append("</div>");
        return Layout.Page($"Study {record.Name}", sb.ToString(), "study.js");
    }
}
