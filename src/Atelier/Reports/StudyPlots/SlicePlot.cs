using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_slice: the objective value against each parameter, one panel per parameter, log axes for log parameters, dots shaded by trial number.</summary>
public static class SlicePlot
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note)
    {
        note = "";
        var complete = StudyPlot.Complete(trials);
        var parameters = StudyPlot.Parameters(complete);
        if (complete.Count == 0) { note = "Slice plot: no complete trial yet."; return null; }
        if (parameters.Count == 0) { note = "Slice plot: no parameter takes more than one value."; return null; }
        const int panelW = 360, panelH = 280;
        int columns = Math.Min(2, parameters.Count), rows = (parameters.Count + columns - 1) / columns;
        var w = new SvgWriter(columns * panelW, rows * panelH + 10, "Slice plot");
        var y = StudyAxis.Numeric(complete.Select(t => t.Value!.Value), false, "objective value", 5);
        int first = complete[0].Number, lastNumber = complete[^1].Number;
        for (int k = 0; k < parameters.Count; k++)
        {
            var (name, d) = parameters[k];
            var with = complete.Where(t => t.Params.ContainsKey(name)).ToList();
            var x = StudyAxis.For(d, with.Select(t => t.Params[name]), name + (d is FloatDistribution { Log: true } or IntDistribution { Log: true } ? " (log)" : ""), 5);
            var p = StudyPlot.Frame(w, k % columns * panelW, k / columns * panelH, panelW, panelH, name, x, y);
            foreach (var t in with)
            {
                double shade = lastNumber > first ? (double)(t.Number - first) / (lastNumber - first) : 0.5;
                w.Circle(p.X.Map(t.Params[name]), p.Y.Map(t.Value!.Value), 3.5, ColorMap.Blues.Hex(0.3 + 0.7 * shade), "#345");
            }
            if (with.Count < complete.Count)
                w.Text(p.X1, p.Y1 - 4, $"{with.Count} of {complete.Count} trials", 10, TextAnchor.End, Palette.MutedText);
        }
        return w.Finish();
    }
}
