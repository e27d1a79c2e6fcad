using System.Text;
using Atelier.Experiments;
using Atelier.Reports;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>
/// `/runs/{id}`: a run's curves with a smoothing slider, live while it trains (run.js listens to <see cref="RunEvents"/>),
/// then its test-set results: per-class metrics, confusion matrices and the model's layers.
/// </summary>
public static class RunPage
{
    public static IResult Render(RunCatalog catalog, string? id, string? part, string? smoothingText)
    {
        if (string.IsNullOrEmpty(id) || catalog.Find(id) is not { } run) return Layout.NotFound($"There is no run \"{id}\" in this run store.");
        var (data, problem) = catalog.TryLoad(run);
        // The parts run.js swaps in when the run ends, so the page shows the final numbers without a reload.
        if (part == "results") return Results.Content(ResultsSection(run, data, problem), "text/html; charset=utf-8");
        if (part == "summary") return Results.Content(Summary(run), "text/html; charset=utf-8");
        double smoothing = Smoothing.Parse(smoothingText ?? "0.6");
        bool live = run.Status == "running";

        var sb = new StringBuilder();
        sb.Append("<article id=\"run\" data-run=\"").Append(Html.E(run.Id)).Append("\" data-live=\"").Append(live ? "true" : "false")
          .Append("\" data-epochs=\"").Append(data?.History.Count ?? 0)
          .Append("\" data-events-url=\"").Append(Html.E(Html.EventsUrl(run.Id)))
          .Append("\" data-charts-url=\"").Append(Html.E(Html.ChartUrl(run.Id)))
          .Append("\" data-results-url=\"").Append(Html.E(Html.RunUrl(run.Id) + "?part=results"))
          .Append("\" data-summary-url=\"").Append(Html.E(Html.RunUrl(run.Id) + "?part=summary")).Append("\">")
          .Append("<h1>").Append(Html.E(run.Id)).Append("</h1><div id=\"summary\">").Append(Summary(run)).Append("</div>");
        sb.Append("<section><h2>Curves</h2><div class=\"toolbar\"><label for=\"smoothing\">Smoothing</label>")
          .Append("<input type=\"range\" id=\"smoothing\" min=\"0\" max=\"0.99\" step=\"0.01\" value=\"").Append(Html.Number(smoothing, "0.00")).Append("\">")
          .Append("<output id=\"smoothing-value\" for=\"smoothing\">").Append(Html.Number(smoothing, "0.00")).Append("</output>")
          .Append("<span id=\"live\" class=\"muted\">").Append(live ? "live: new epochs appear as they finish" : "").Append("</span></div><div class=\"charts\">");
        foreach (var kind in RunCharts.Kinds)
            sb.Append("<figure class=\"chart\" data-chart=\"").Append(kind).Append("\">").Append(RunCharts.Svg(kind, run.Id, data, kind == "lr" ? 0 : smoothing)).Append("</figure>");
        sb.Append("</div></section><section id=\"results\">").Append(ResultsSection(run, data, problem)).Append("</section></article>");
        return Layout.Page(run.Id, sb.ToString(), "run.js");
    }

    /// <summary>The chart fragment run.js fetches: `/charts/{id}?kind=loss&smoothing=0.6`.</summary>
    public static IResult Chart(RunCatalog catalog, string? id, string? kind, string? smoothingText)
    {
        if (string.IsNullOrEmpty(id) || catalog.Find(id) is not { } run) return Layout.NotFound($"There is no run \"{id}\" in this run store.");
        var (data, _) = catalog.TryLoad(run);
        string? svg = RunCharts.Svg(kind ?? "", run.Id, data, kind == "lr" ? 0 : Smoothing.Parse(smoothingText));
        if (svg is null) return Layout.NotFound($"There is no chart \"{kind}\": ask for one of {string.Join(", ", RunCharts.Kinds)}.");
        return Results.Content(svg, "image/svg+xml; charset=utf-8");
    }

    private static string Summary(RunRecord run)
    {
        var sb = new StringBuilder();
        sb.Append("<dl class=\"summary\"><dt>Status</dt><dd><span id=\"status\" class=\"status status-").Append(Html.E(run.Status)).Append("\">")
          .Append(Html.E(run.Status)).Append("</span></dd><dt>Model</dt><dd>").Append(Html.E(run.Model)).Append("</dd>");
        if (run.Experiment is { } e)
            sb.Append("<dt>Experiment</dt><dd><a href=\"").Append(Html.E(Html.ExperimentUrl(e))).Append("\">").Append(Html.E(e)).Append("</a></dd>");
        sb.Append("<dt>Test accuracy</dt><dd>").Append(Html.Percent(run.TestAccuracy)).Append("</dd>")
          .Append("<dt>Epochs</dt><dd id=\"epochs\">").Append(run.Epochs).Append("</dd>")
          .Append("<dt>Started</dt><dd>").Append(Html.Time(run.Started)).Append("</dd>")
          .Append("<dt>Time</dt><dd>").Append(Html.Duration(RunsPage.Elapsed(run, DateTime.UtcNow))).Append("</dd>")
          .Append("<dt>Folder</dt><dd><code>").Append(Html.E(run.Folder)).Append("</code></dd></dl>");
        if (run.Message is { } m) sb.Append("<p class=\"error\">").Append(Html.E(m)).Append("</p>");
        return sb.ToString();
    }

    /// <summary>The part that changes when the run ends; run.js swaps it in then, without reloading the page.</summary>
    private static string ResultsSection(RunRecord run, RunReportData? data, string? problem)
    {
        var sb = new StringBuilder("<h2>Test-set results</h2>");
        if (problem is not null) return sb.Append("<p class=\"error\">").Append(Html.E(problem)).Append("</p>").ToString();
        if (data is null || !data.Finished)
        {
            string why = run.Status switch
            {
                "running" => "They appear here when the run finishes.",
                "interrupted" => "The run was interrupted before its test evaluation: `atelier resume` continues it.",
                _ => "This run has none.",
            };
            return sb.Append("<p class=\"muted\">").Append(Html.E(why)).Append("</p>").ToString();
        }
        sb.Append("<dl class=\"summary\"><dt>Accuracy</dt><dd>").Append(Html.Percent(data.Metric("test_accuracy")))
          .Append("</dd><dt>Loss</dt><dd>").Append(Html.Number(data.Metric("test_loss")))
          .Append("</dd><dt>Macro F1</dt><dd>").Append(Html.Number(data.Classification!.MacroF1))
          .Append("</dd><dt>Training time</dt><dd>").Append(Html.Duration(TimeSpan.FromSeconds(data.TrainingSeconds))).Append("</dd></dl>");
        if (RunReport.PerClassTable(data) is { } table) sb.Append("<h3>Per-class metrics</h3><div class=\"table-wrap\">").Append(table.ToHtml()).Append("</div>");
        sb.Append("<div class=\"charts\">");
        foreach (var svg in new[] { RunReport.PerClassMetrics(data), RunReport.ConfusionCounts(data), RunReport.ConfusionNormalized(data), RunReport.AccuracyOverTime(data) })
            if (svg is not null) sb.Append("<figure>").Append(svg).Append("</figure>");
        sb.Append("</div>");
        if (RunReport.Architecture(data, null) is var (layers, caption))
            sb.Append("<h3>Model</h3><p>").Append(Html.E(caption)).Append("</p><div class=\"table-wrap\">").Append(layers.ToHtml()).Append("</div>");
        return sb.ToString();
    }
}
