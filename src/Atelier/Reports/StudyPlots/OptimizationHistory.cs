using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_optimization_history: each complete trial's value as a dot, and the best value so far as a step line.</summary>
public static class OptimizationHistory
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note)
    {
        var complete = StudyPlot.Complete(trials);
        note = "";
        if (complete.Count == 0) { note = "Optimization history: no complete trial yet."; return null; }
        var w = new SvgWriter(720, 400, "Optimization history");
        var x = StudyAxis.Numeric(complete.Select(t => (double)t.Number), false, "trial");
        var y = StudyAxis.Numeric(complete.Select(t => t.Value!.Value), false, "objective value");
        var p = StudyPlot.Frame(w, 0, 0, 720, 400, $"Optimization history ({study.Direction.ToString().ToLowerInvariant()})", x, y);
        var best = new PathData();
        double bestSoFar = double.NaN;
        foreach (var t in complete)
        {
            double v = t.Value!.Value;
            bool better = double.IsNaN(bestSoFar) || (study.Direction == StudyDirection.Minimize ? v < bestSoFar : v > bestSoFar);
            double px = p.X.Map(t.Number);
            if (!double.IsNaN(bestSoFar) && better) best.Add(px, p.Y.Map(bestSoFar));
            if (better) bestSoFar = v;
            best.Add(px, p.Y.Map(bestSoFar));
        }
        best.Add(p.X1, p.Y.Map(bestSoFar));
        foreach (var t in complete) w.Circle(p.X.Map(t.Number), p.Y.Map(t.Value!.Value), 3.5, Palette.Color(0), "#fff");
        w.Path(best.ToString(), Palette.Error, 2, extra: "class=\"best-so-far\"");
        // Legend, top right inside the plot.
        double lx = p.X1 - 150, ly = p.Y1 + 14;
        w.Rect(lx - 8, ly - 12, 154, 40, "#fff", "#ccc");
        w.Circle(lx + 6, ly, 3.5, Palette.Color(0), "#fff").Text(lx + 18, ly + 4, "objective value", AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
        w.Line(lx, ly + 16, lx + 12, ly + 16, Palette.Error, 2).Text(lx + 18, ly + 20, "best value so far", AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
        return w.Finish();
    }
}
