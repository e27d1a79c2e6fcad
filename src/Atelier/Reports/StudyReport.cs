using System.Globalization;
using Atelier.Reports.StudyPlots;
using Atelier.Tuning;
using Atelier.Tuning.Importance;

namespace Atelier.Reports;

/// <summary>One figure of a study report: its heading, the &lt;svg&gt; document and a caption.</summary>
public sealed record StudyFigure(string Heading, string Svg, string Caption);

/// <summary>
/// The report of a tuning study, after Optuna's visualisation module: the best trial, then optimization history,
/// intermediate values, parallel coordinates, slice plots, a contour of the two most important parameters, the
/// parameter importances, the empirical distribution of the values and the timeline of trials per worker, then a
/// table of every trial. A figure that cannot be drawn (no complete trial, one parameter, …) is left out with a note.
/// </summary>
public static class StudyReport
{
    /// <summary>The figures that can be drawn, in report order; <paramref name="notes"/> gets one line per figure left out.</summary>
    public static IReadOnlyList<StudyFigure> Figures(StudyRecord study, IReadOnlyList<FrozenTrial> trials, Action<string>? notes = null)
    {
        var figures = new List<StudyFigure>();
        void Add(string heading, string? svg, string note, string caption)
        {
            if (svg is not null) figures.Add(new StudyFigure(heading, svg, caption));
            else notes?.Invoke(note);
        }
        var importances = ParameterImportance.Compute(trials);
        string minMax = study.Direction == StudyDirection.Minimize ? "lowest" : "highest";
        Add("Optimization history", OptimizationHistory.Svg(study, trials, out var n1), n1, $"Each complete trial's value, and the {minMax} value so far.");
        Add("Intermediate values", IntermediateValues.Svg(study, trials, out var n2), n2, "The values each trial reported per step: complete trials solid, pruned ones dashed grey ending in a red cross, failed or running ones dotted.");
        Add("Parallel coordinates", ParallelCoordinates.Svg(study, trials, out var n3), n3, "One line per complete trial through its objective value and parameters, coloured by value (best brightest); gaps are parameters a trial did not have.");
        Add("Slice plot", SlicePlot.Svg(study, trials, out var n4), n4, "The objective value against each parameter; darker dots are later trials.");
        Add("Contour", ContourPlot.Svg(study, trials, out var n5, importances.Select(p => p.Key).ToList()), n5, "The objective value over the two most important parameters, interpolated between the trials (white dots) by inverse distance weighting.");
        Add("Parameter importances", ImportancePlot.Svg(study, trials, out var n6, importances), n6, "Permutation importance of each parameter in a random forest fitted to the complete trials (out-of-bag), normalised to sum 1.");
        Add("Empirical distribution", EmpiricalDistribution.Svg(study, trials, out var n7), n7, "The fraction of complete trials with a value at most x.");
        Add("Timeline", Timeline.Svg(study, trials, out var n8), n8, "Each trial from its start to its end, one row per worker, coloured by state.");
        return figures;
    }

    /// <summary>The page: best trial, figures, a note of the figures left out, and the table of trials.</summary>
    public static HtmlReport Build(StudyRecord study, IReadOnlyList<FrozenTrial> trials, Action<string>? notes = null)
    {
        var counts = string.Join(", ", Enum.GetValues<TrialState>().Select(s => (s, c: trials.Count(t => t.State == s))).Where(x => x.c > 0).Select(x => $"{x.c} {x.s.Name()}"));
        var report = new HtmlReport($"Study {study.Name}",
            $"{study.Direction.ToString().ToLowerInvariant()} · {trials.Count} trial{(trials.Count == 1 ? "" : "s")}{(counts.Length > 0 ? $" ({counts})" : "")} · created {study.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC");
        var best = Atelier.Tuning.Study.Best(trials, study.Direction);
        if (best is not null) report.AddTable("Best trial", BestTable(best), $"Trial {best.Number} has the {(study.Direction == StudyDirection.Minimize ? "lowest" : "highest")} value of the complete trials.");
        var left = new List<string>();
        var figures = Figures(study, trials, line => { left.Add(line); notes?.Invoke(line); });
        if (best is null) left.Insert(0, trials.Count == 0 ? "The study has no trials yet." : "No trial is complete yet, so there is no best trial.");
        foreach (var f in figures) report.AddFigure(f.Heading, f.Svg, f.Caption);
        if (left.Count > 0) report.AddText("Figures left out", string.Join('\n', left));
        if (trials.Count > 0) report.AddTable("Trials", TrialTable(trials, best), "Parameters as the objective saw them; seconds from start to end.");
        return report;
    }

    /// <summary>
    /// Writes the report to <paramref name="outputHtml"/> and its figures as SVG files into "&lt;name&gt;-figures/" beside
    /// it; returns the page's full path.
    /// </summary>
    public static string Write(StudyRecord study, IReadOnlyList<FrozenTrial> trials, string outputHtml, Action<string>? notes = null)
    {
        string full = Path.GetFullPath(outputHtml);
        ExperimentReport.Write(Build(study, trials, notes), full);
        return full;
    }

    public static Table BestTable(FrozenTrial best)
    {
        var rows = new List<string[]> { new[] { "value", Value(best.Value) }, new[] { "trial", best.Number.ToString(CultureInfo.InvariantCulture) } };
        foreach (var name in best.Params.Keys.Order(StringComparer.Ordinal)) rows.Add([name, best.ShortParam(name)!]);
        return new Table(["", "best trial"], rows);
    }

    public static Table TrialTable(IReadOnlyList<FrozenTrial> trials, FrozenTrial? best = null)
    {
        var rows = new List<string[]>();
        var ordered = trials.OrderBy(t => t.Number).ToList();
        var table = new Table(["Trial", "State", "Value", "Parameters", "Worker", "Seconds"], ordered.Select(t => new[]
        {
            t.Number.ToString(CultureInfo.InvariantCulture), t.State.Name(), Value(t.Value),
            string.Join(", ", t.Params.Keys.Order(StringComparer.Ordinal).Select(k => $"{k}={t.ShortParam(k)}")),
            t.Worker ?? "-", t.Seconds is { } s && t.Completed is not null ? s.ToString("0.0", CultureInfo.InvariantCulture) : "-",
        }).ToList());
        if (best is not null) table.Bold.Add(ordered.FindIndex(t => t.Id == best.Id));
        return table;
    }

    private static string Value(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("G6", CultureInfo.InvariantCulture) : "-";
}
