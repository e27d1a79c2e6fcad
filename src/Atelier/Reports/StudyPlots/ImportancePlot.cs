using Atelier.Tuning;
using Atelier.Tuning.Importance;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_param_importances: horizontal bars of <see cref="ParameterImportance"/>, most important on top.</summary>
public static class ImportancePlot
{
    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note, IReadOnlyList<KeyValuePair<string, double>>? importances = null)
    {
        note = "";
        importances ??= ParameterImportance.Compute(trials);
        if (importances.Count == 0) { note = "Parameter importances: need at least 2 complete trials and a parameter, present in all of them, that takes more than one value."; return null; }
        var chart = new BarChart(importances.Select(p => p.Key).ToArray())
        {
            Title = "Parameter importances (random-forest permutation importance)",
            Horizontal = true,
            ValueLabel = "importance for the objective value",
            ValueFormat = "0.00",
            ValueMin = 0,
            ValueMax = 1,
            Width = 720,
            Height = Math.Max(200, 80 + importances.Count * 30),
        };
        chart.Add(new BarSeries("importance", importances.Select(p => p.Value).ToArray()) { Color = Palette.Color(0) });
        return chart.ToSvg();
    }
}
