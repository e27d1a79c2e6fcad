using Atelier.Tuning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>A study in the list: its trial counts by state and its best complete trial.</summary>
public sealed record StudySummaryJson(string Name, string Direction, DateTime Created, int Trials, IReadOnlyDictionary<string, int> States, double? BestValue, int? BestTrial);

/// <summary>One trial of a study; parameters as the objective saw them (<see cref="Distribution.Format"/>).</summary>
public sealed record TrialJson(int Number, string State, double? Value, IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, double> IntermediateValues, string? Worker, DateTime? Started, DateTime? Completed);

public sealed record StudyJson(string Name, string Direction, DateTime Created, int? BestTrial, double? BestValue, IReadOnlyList<TrialJson> Trials);

/// <summary>
/// /api/v1/studies: the tuning studies of the storage the server was started with (<see cref="ServerOptions.Studies"/>);
/// without one the list is empty and every study is unknown.
/// </summary>
public static class StudyEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var studies = v1.MapGroup("/studies").WithTags("studies");
        studies.MapGet("", (ServerOptions options) => TypedResults.Ok(List(options.Studies))).WithName("ListStudies").WithSummary("The tuning studies, with trial counts and best values.");
        studies.MapGet("/{**name}", Results<Ok<StudyJson>, ProblemHttpResult> (ServerOptions options, string name) =>
            Find(options.Studies, name) is { } found ? TypedResults.Ok(ToJson(found.Record, found.Trials)) : Problems.NotFound(Unknown(options.Studies, name)))
            .WithName("GetStudy").WithSummary("One study with its trials.");
    }

    public static string Unknown(IStudyStorage? storage, string? name) => storage is null
        ? $"No study is named '{RunEndpoints.Shorten(name ?? "")}': this server was started without a study storage."
        : $"No study is named '{RunEndpoints.Shorten(name ?? "")}' in {storage.Describe}.";

    public static IReadOnlyList<StudySummaryJson> List(IStudyStorage? storage)
    {
        if (storage is null) return [];
        return storage.Studies().OrderBy(s => s.Name, StringComparer.Ordinal).Select(s =>
        {
            var trials = storage.Trials(s.Id);
            var best = Study.Best(trials, s.Direction);
            var states = Enum.GetValues<TrialState>().ToDictionary(st => st.Name(), st => trials.Count(t => t.State == st));
            return new StudySummaryJson(s.Name, s.Direction.ToString().ToLowerInvariant(), s.Created, trials.Count, states, best?.Value, best?.Number);
        }).ToList();
    }

    public static (StudyRecord Record, IReadOnlyList<FrozenTrial> Trials)? Find(IStudyStorage? storage, string? name)
    {
        if (storage is null || string.IsNullOrEmpty(name) || storage.FindStudy(name) is not { } record) return null;
        return (record, storage.Trials(record.Id));
    }

    public static StudyJson ToJson(StudyRecord s, IReadOnlyList<FrozenTrial> trials)
    {
        var best = Study.Best(trials, s.Direction);
        return new StudyJson(s.Name, s.Direction.ToString().ToLowerInvariant(), s.Created, best?.Number, best?.Value,
            trials.OrderBy(t => t.Number).Select(t => new TrialJson(t.Number, t.State.Name(), t.Value is { } v && double.IsFinite(v) ? v : null,
                t.Params.Keys.Order(StringComparer.Ordinal).ToDictionary(k => k, k => t.Param(k)!),
                t.IntermediateValues.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => kv.Value),
                t.Worker, t.Started, t.Completed)).ToList());
    }
}
