using System.Text;
using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>`/experiments/{name}`: the comparison of an experiment's runs, in the order they started.</summary>
public static class ExperimentPage
{
    public static IResult Render(RunCatalog catalog, string? name)
    {
        // Only a name the store holds: the request never names a folder.
        if (string.IsNullOrEmpty(name) || !catalog.Experiments().Contains(name, StringComparer.Ordinal)) return Layout.NotFound($"There is no experiment \"{name}\" in this run store.");
        var runs = catalog.Runs(name);
        runs.Reverse(); // the store lists newest first; an experiment reads in the order of its file
        var sb = new StringBuilder("<h1>Experiment ").Append(Html.E(name)).Append("</h1><p>")
            .Append(runs.Count).Append(runs.Count == 1 ? " run" : " runs").Append(". <a href=\"")
            .Append(Html.E(Html.CompareUrl(runs.Select(r => r.Id)))).Append("\">Open in compare</a> · <a href=\"")
            .Append(Html.E(Html.CompareUrl(runs.Select(r => r.Id), "/compare.csv"))).Append("\" download>CSV</a></p>")
            .Append(Comparison.Load(catalog, runs).ToHtml());
        return Layout.Page($"Experiment {name}", sb.ToString());
    }
}
