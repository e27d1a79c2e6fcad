using System.Text;
using Atelier.Experiments;
using Atelier.Reports;
using Atelier.Training;

namespace Atelier.Server.Pages;

/// <summary>
/// Several runs side by side, as the compare and experiment pages show them: the report's key-metrics table (each
/// run named by its store id and linked) and overlaid curves, one colour per run.
/// </summary>
public sealed class Comparison
{
    private Comparison(List<(RunRecord Run, RunReportData Data)> runs, List<string> unreadable)
    {
        Runs = runs;
        Unreadable = unreadable;
    }

    public List<(RunRecord Run, RunReportData Data)> Runs { get; }

    /// <summary>Runs left out because their folder holds nothing readable yet, each with why.</summary>
    public List<string> Unreadable { get; }

    public static Comparison Load(RunCatalog catalog, IEnumerable<RunRecord> records)
    {
        var runs = new List<(RunRecord, RunReportData)>();
        var unreadable = new List<string>();
        foreach (var r in records)
        {
            var (data, problem) = catalog.TryLoad(r);
            if (data is not null) runs.Add((r, data));
            else unreadable.Add($"{r.Id}: {problem ?? "no options or metrics written yet"}");
        }
        return new Comparison(runs, unreadable);
    }

    /// <summary>The report's key metrics with the store id in the first column (labels of two experiments' runs can be equal).</summary>
    public Table KeyMetrics()
    {
        var table = ExperimentReport.KeyMetrics(Runs.Select(r => r.Data).ToList());
        var rows = new List<string[]>();
        for (int i = 0; i < table.Rows.Count; i++) rows.Add([Runs[i].Run.Id, .. table.Rows[i][1..]]);
        var byId = new Table(table.Header, rows);
        byId.Bold.UnionWith(table.Bold);
        return byId;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder();
        foreach (var u in Unreadable) sb.Append("<p class=\"muted\">Left out: ").Append(Html.E(u)).Append("</p>");
        if (Runs.Count == 0) return sb.ToString();
        var table = KeyMetrics();
        sb.Append("<h2>Key metrics</h2><div class=\"table-wrap\"><table class=\"atelier-table\"><thead><tr>");
        foreach (var h in table.Header) sb.Append("<th>").Append(Html.E(h)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            sb.Append(table.Bold.Contains(i) ? "<tr class=\"best\">" : "<tr>")
              .Append("<td><a href=\"").Append(Html.E(Html.RunUrl(row[0]))).Append("\">").Append(Html.E(row[0])).Append("</a></td>");
            foreach (var cell in row[1..]) sb.Append("<td>").Append(Html.E(cell)).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div><h2>Curves</h2><div class=\"charts\">");
        bool validated = Runs.Any(r => r.Data.History.Any(h => double.IsFinite(h.ValLoss)));
        if (validated)
        {
            Figure(sb, "validation accuracy per epoch", "validation accuracy", "%", h => 100 * h.ValAccuracy);
            Figure(sb, "validation loss per epoch", "validation loss", null, h => h.ValLoss);
        }
        Figure(sb, "training accuracy per epoch", "training accuracy", "%", h => 100 * h.TrainAccuracy);
        Figure(sb, "training loss per epoch", "training loss", null, h => h.TrainLoss);
        return sb.Append("</div>").ToString();
    }

    private void Figure(StringBuilder sb, string title, string yLabel, string? unit, Func<EpochMetrics, double> pick)
    {
        var chart = new LineChart { Title = $"Comparison: {title}", XLabel = "epoch", YLabel = yLabel, YUnit = unit };
        int most = 0;
        for (int i = 0; i < Runs.Count; i++)
        {
            var h = Runs[i].Data.History;
            var x = h.Select(e => (double)e.Epoch).ToArray();
            var y = h.Select(pick).ToArray();
            if (!y.Any(double.IsFinite)) continue; // keeps the run's colour: ColorIndex is its position
            chart.Add(new LineSeries(Runs[i].Run.Id, x, y) { ColorIndex = i, Markers = h.Count <= 20 });
            most = Math.Max(most, h.Count);
        }
        if (most is > 0 and <= 10) chart.XTicks = Enumerable.Range(1, most).Select(e => (double)e).ToArray();
        if (most == 1) { chart.XMin = 0.5; chart.XMax = 1.5; }
        sb.Append("<figure>").Append(chart.ToSvg()).Append("</figure>");
    }
}
