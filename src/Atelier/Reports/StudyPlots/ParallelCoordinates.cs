using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>
/// Optuna's plot_parallel_coordinate: the objective and one vertical axis per parameter; each complete trial a line
/// through its values, coloured by its value (best brightest). Categoricals show their choices as ticks; a trial
/// without a parameter (conditional) leaves a gap on that axis.
/// </summary>
public static class ParallelCoordinates
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note)
    {
        note = "";
        var complete = StudyPlot.Complete(trials);
        var parameters = StudyPlot.Parameters(complete);
        if (complete.Count == 0) { note = "Parallel coordinates: no complete trial yet."; return null; }
        if (parameters.Count == 0) { note = "Parallel coordinates: no parameter takes more than one value."; return null; }
        var axes = new List<(StudyAxis Axis, Func<FrozenTrial, double> Get)>
        {
            (StudyAxis.Numeric(complete.Select(t => t.Value!.Value), false, "objective"), t => t.Value!.Value),
        };
        foreach (var (name, d) in parameters)
        {
            string n = name;
            axes.Add((StudyAxis.For(d, complete.Select(t => StudyPlot.At(t, n)), name), t => StudyPlot.At(t, n)));
        }
        int width = Math.Max(720, 140 * axes.Count + 120);
        const int height = 420;
        var w = new SvgWriter(width, height, "Parallel coordinates");
        w.Text(width / 2.0, 22, "Parallel coordinates", AxisPainter.TitleFont - 1, TextAnchor.Middle, Palette.Text, bold: true);
        double left = 70, right = width - 110, top = 56, bottom = height - 40;
        double step = axes.Count > 1 ? (right - left) / (axes.Count - 1) : 0;
        var scales = axes.Select(a => Scale.For(a.Axis.Ticks, bottom, top)).ToArray();
        double lo = complete.Min(t => t.Value!.Value), hi = complete.Max(t => t.Value!.Value);
        // Worst first, so the best lines lie on top.
        var order = complete.OrderBy(t => StudyPlot.Shade(t.Value!.Value, lo, hi, study.Direction)).ToList();
        foreach (var t in order)
        {
            var path = new PathData();
            for (int k = 0; k < axes.Count; k++)
            {
                double py = scales[k].Map(axes[k].Get(t));
                if (!double.IsFinite(py)) { path.Break(); continue; }
                path.Add(left + k * step, py);
            }
            w.Path(path.ToString(), ColorMap.Viridis.Hex(StudyPlot.Shade(t.Value!.Value, lo, hi, study.Direction)), 1.4, extra: $"class=\"trial\" data-trial=\"{t.Number}\" opacity=\"0.8\"");
        }
        for (int k = 0; k < axes.Count; k++)
        {
            double ax = left + k * step;
            var a = axes[k].Axis;
            w.Line(ax, top, ax, bottom, Palette.Axis, 1.2);
            for (int i = 0; i < a.Ticks.Values.Length; i++)
            {
                double py = scales[k].Map(a.Ticks.Values[i]);
                if (!double.IsFinite(py)) continue;
                w.Line(ax - 4, py, ax, py, Palette.Axis);
                string label = TextMetrics.Fit(a.Labels[i], Math.Max(step - 20, 40), AxisPainter.TickFont - 1);
                // A white backing keeps the label readable over the lines.
                double lw = TextMetrics.Width(label, AxisPainter.TickFont - 1);
                w.Rect(ax - 7 - lw, py - 6, lw + 2, 12, "rgba(255,255,255,0.85)");
                w.Text(ax - 6, py + 4, label, AxisPainter.TickFont - 1, TextAnchor.End, Palette.MutedText);
            }
            w.Text(ax, top - 12, TextMetrics.Fit(a.Label, Math.Max(step - 6, 60), AxisPainter.LabelFont), AxisPainter.LabelFont, TextAnchor.Middle, Palette.Text, bold: k == 0, cssClass: "axis-name");
        }
        StudyPlot.ColorBar(w, right + 40, top + 10, bottom - top - 20, lo, hi, study.Direction, "value");
        return w.Finish();
    }
}
