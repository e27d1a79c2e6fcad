using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_intermediate_values: one line per trial over its reported steps; pruned trials dashed, ending in a cross.</summary>
public static class IntermediateValues
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note)
    {
        note = "";
        var reported = trials.Where(t => t.IntermediateValues.Any(kv => double.IsFinite(kv.Value))).OrderBy(t => t.Number).ToList();
        if (reported.Count == 0) { note = "Intermediate values: no trial reported any."; return null; }
        var w = new SvgWriter(720, 400, "Intermediate values");
        var points = reported.SelectMany(t => t.IntermediateValues.Where(kv => double.IsFinite(kv.Value))).ToList();
        var x = StudyAxis.Numeric(points.Select(kv => (double)kv.Key), false, "step");
        var y = StudyAxis.Numeric(points.Select(kv => kv.Value), false, "intermediate value");
        var p = StudyPlot.Frame(w, 0, 0, 720, 400, "Intermediate values", x, y);
        foreach (var t in reported)
        {
            bool pruned = t.State == TrialState.Pruned;
            string color = pruned ? "#999" : t.State == TrialState.Complete ? Palette.Color(0) : Palette.Color(4);
            var path = new PathData();
            (double X, double Y) last = (double.NaN, double.NaN);
            foreach (var (step, v) in t.IntermediateValues.OrderBy(kv => kv.Key))
            {
                if (!double.IsFinite(v)) { path.Break(); continue; }
                last = (p.X.Map(step), p.Y.Map(v));
                path.Add(last.X, last.Y);
            }
            string cls = $"class=\"trial {t.State.Name()}\" data-trial=\"{t.Number}\"";
            if (path.Points > 1) w.Path(path.ToString(), color, 1.5, pruned ? "4,3" : t.State == TrialState.Complete ? null : "1.5,2.5", extra: cls);
            if (pruned) StudyPlot.Cross(w, last.X, last.Y, Palette.Error);
            else if (path.Points <= 1) w.Circle(last.X, last.Y, 3, color);
        }
        double lx = p.X1 - 150, ly = p.Y1 + 14;
        w.Rect(lx - 8, ly - 12, 154, 56, "#fff", "#ccc");
        w.Line(lx, ly + 32, lx + 16, ly + 32, Palette.Color(4), 1.5, "1.5,2.5").Text(lx + 26, ly + 36, "failed or running", AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
        w.Line(lx, ly, lx + 16, ly, Palette.Color(0), 1.5).Text(lx + 26, ly + 4, "complete", AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
        w.Line(lx, ly + 16, lx + 16, ly + 16, "#999", 1.5, "4,3");
        StudyPlot.Cross(w, lx + 16, ly + 16, Palette.Error);
        w.Text(lx + 26, ly + 20, "pruned", AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
        return w.Finish();
    }
}
