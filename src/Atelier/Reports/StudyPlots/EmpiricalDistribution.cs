using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_edf: the fraction of complete trials whose value is at most v, as a step line.</summary>
public static class EmpiricalDistribution
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note)
    {
        note = "";
        var values = StudyPlot.Complete(trials).Select(t => t.Value!.Value).Order().ToArray();
        if (values.Length == 0) { note = "Empirical distribution: no complete trial yet."; return null; }
        var w = new SvgWriter(720, 360, "Empirical distribution function");
        var x = StudyAxis.Numeric(values, false, "objective value");
        var y = new StudyAxis(Ticks.Linear(0, 1, 6), Ticks.Linear(0, 1, 6).Labels(), "cumulative probability");
        var p = StudyPlot.Frame(w, 0, 0, 720, 360, "Empirical distribution function of the objective value", x, y);
        var path = new PathData();
        path.Add(p.X0, p.Y.Map(0));
        for (int i = 0; i < values.Length; i++)
        {
            double px = p.X.Map(values[i]);
            path.Add(px, p.Y.Map((double)i / values.Length));
            path.Add(px, p.Y.Map((double)(i + 1) / values.Length));
        }
        path.Add(p.X1, p.Y.Map(1));
        w.Path(path.ToString(), Palette.Color(0), 2, extra: "class=\"edf\"");
        return w.Finish();
    }
}
