using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>
/// Optuna's plot_contour for the two most important parameters, as a filled heat-map: a 30×30 grid over their ranges
/// (log for log parameters), each cell the inverse-distance-weighted mean of the complete trials' values, with the
/// trials themselves as dots.
/// </summary>
public static class ContourPlot
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note, IReadOnlyList<string>? order = null)
    {
        note = "";
        var complete = StudyPlot.Complete(trials);
        var parameters = StudyPlot.Parameters(complete);
        if (order is not null)
            parameters = [.. parameters.OrderBy(p => order.ToList().IndexOf(p.Name) is var i && i >= 0 ? i : int.MaxValue)];
        if (parameters.Count < 2) { note = "Contour: needs two parameters that take more than one value."; return null; }
        var (nx, dx) = parameters[0];
        var (ny, dy) = parameters[1];
        var both = complete.Where(t => t.Params.ContainsKey(nx) && t.Params.ContainsKey(ny)).ToList();
        if (both.Count < 2) { note = $"Contour: fewer than 2 complete trials have both {nx} and {ny}."; return null; }
        var w = new SvgWriter(720, 500, "Contour");
        var xa = StudyAxis.For(dx, both.Select(t => t.Params[nx]), nx);
        var ya = StudyAxis.For(dy, both.Select(t => t.Params[ny]), ny);
        var p = StudyPlot.Frame(w, 0, 0, 620, 500, $"Objective value over {nx} and {ny}", xa, ya);
        double lo = both.Min(t => t.Value!.Value), hi = both.Max(t => t.Value!.Value);
        // Trials in pixel space, so log axes and categoricals interpolate as drawn.
        var pts = both.Select(t => (X: p.X.Map(t.Params[nx]), Y: p.Y.Map(t.Params[ny]), V: t.Value!.Value)).Where(q => double.IsFinite(q.X) && double.IsFinite(q.Y)).ToList();
        const int n = 30;
        double cw = (p.X1 - p.X0) / n, ch = (p.Y0 - p.Y1) / n;
        var cells = SvgWriter.Fragment();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double cx = p.X0 + (i + 0.5) * cw, cy = p.Y1 + (j + 0.5) * ch, num = 0, den = 0;
                foreach (var q in pts)
                {
                    double d2 = (q.X - cx) * (q.X - cx) + (q.Y - cy) * (q.Y - cy);
                    double wt = 1 / (d2 * d2 + 1e-6);
                    num += wt * q.V; den += wt;
                }
                double v = den > 0 ? num / den : lo;
                cells.Rect(p.X0 + i * cw, p.Y1 + j * ch, cw + 0.5, ch + 0.5, ColorMap.Viridis.Hex(StudyPlot.Shade(v, lo, hi, study.Direction)));
            }
        w.OpenGroup("class=\"cells\" opacity=\"0.9\"").Raw(cells.Finish()).CloseGroup();
        foreach (var q in pts) w.Circle(q.X, q.Y, 3.5, "#fff", "#222");
        StudyPlot.ColorBar(w, 640, p.Y1 + 16, p.Y0 - p.Y1 - 16, lo, hi, study.Direction, "value");
        return w.Finish();
    }
}
