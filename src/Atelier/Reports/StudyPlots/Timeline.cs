using Atelier.Tuning;

namespace Atelier.Reports.StudyPlots;

/// <summary>Optuna's plot_timeline: one row per worker, a bar per trial from its start to its end, coloured by state.</summary>
public static class Timeline
{
    internal static string Color(TrialState s) => s switch
    {
        TrialState.Complete => Palette.Color(0),
        TrialState.Pruned => "#999",
        TrialState.Fail => Palette.Error,
        TrialState.Running => Palette.Color(2),
        _ => "#999",
    };

    public static string? Svg(StudyRecord study, IReadOnlyList<FrozenTrial> trials, out string note, DateTime? now = null)
    {
        note = "";
        var started = trials.Where(t => t.Started is not null).OrderBy(t => t.Number).ToList();
        if (started.Count == 0) { note = "Timeline: no trial has started yet."; return null; }
        DateTime end = now ?? DateTime.UtcNow;
        DateTime t0 = started.Min(t => t.Started!.Value);
        double Sec(DateTime d) => (d - t0).TotalSeconds;
        var workers = started.Select(t => t.Worker ?? "(unknown)").Distinct().Order(StringComparer.Ordinal).ToList();
        int height = Math.Max(240, 110 + workers.Count * 30);
        var w = new SvgWriter(720, height, "Timeline of trials");
        double last = started.Max(t => Sec(t.Completed ?? (t.State == TrialState.Running ? end : t.Started!.Value)));
        var x = StudyAxis.Numeric([0, Math.Max(last, 1e-3)], false, "seconds since the first trial started");
        var y = new StudyAxis(new Ticks(-0.5, workers.Count - 0.5, Enumerable.Range(0, workers.Count).Select(i => (double)i).ToArray(), false), [.. workers], "worker");
        var p = StudyPlot.Frame(w, 0, 0, 720, height - 24, "Timeline of trials per worker", x, y);
        double row = Math.Abs(p.Y.Map(1) - p.Y.Map(0));
        foreach (var t in started)
        {
            int r = workers.IndexOf(t.Worker ?? "(unknown)");
            double a = p.X.Map(Sec(t.Started!.Value));
            double b = p.X.Map(Sec(t.Completed ?? (t.State == TrialState.Running ? end : t.Started!.Value)));
            double bw = Math.Max(2, b - a);
            w.Raw($"<rect class=\"trial {t.State.Name()}\" x=\"{SvgWriter.Num(a)}\" y=\"{SvgWriter.Num(p.Y.Map(r) - row * 0.3)}\" width=\"{SvgWriter.Num(bw)}\" height=\"{SvgWriter.Num(row * 0.6)}\" fill=\"{Color(t.State)}\" stroke=\"#fff\" stroke-width=\"0.5\"><title>trial {t.Number}: {t.State.Name()}</title></rect>");
        }
        double lx = p.X0;
        foreach (var s in new[] { TrialState.Complete, TrialState.Pruned, TrialState.Fail, TrialState.Running })
        {
            w.Rect(lx, height - 20, 12, 12, Color(s));
            w.Text(lx + 16, height - 10, s.Name(), AxisPainter.LegendFont, TextAnchor.Start, Palette.Text);
            lx += 90;
        }
        return w.Finish();
    }
}
