using Atelier.Experiments;
using Atelier.Reports;
using Atelier.Training;

namespace Atelier.Server.Api;

/// <summary>A run as the run list shows it: the store's row (no folder path: the API names runs by id only).</summary>
public sealed record RunSummary(string Id, string Model, string Status, string? Experiment, DateTime Started, DateTime? Ended,
    string? Message, int Epochs, int? BestEpoch, double? TestAccuracy)
{
    public static RunSummary Of(RunRecord r) =>
        new(r.Id, r.Model, r.Status, r.Experiment, r.Started, r.Ended, r.Message, r.Epochs, r.BestEpoch, Json.Finite(r.TestAccuracy));
}

/// <summary>One class's test-set metrics (sklearn's classification_report row).</summary>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, long Support);

/// <summary>
/// A run with what its folder holds: the options it trained with, the final metrics and per-class metrics once it
/// finished. <see cref="Unreadable"/> says why the folder could not be read (the row is still shown).
/// </summary>
public sealed record RunDetail(RunSummary Run, IReadOnlyDictionary<string, string>? Options, IReadOnlyDictionary<string, double?>? Metrics,
    IReadOnlyList<ClassMetrics>? Classes, IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix, bool HasCheckpoint, string? Unreadable)
{
    public static RunDetail Of(RunRecord record, RunReportData? data, string? unreadable)
    {
        var summary = RunSummary.Of(record);
        if (data is null) return new RunDetail(summary, null, null, null, null, false, unreadable);
        var options = TrainOptionTable.ToPairs(data.Options).ToDictionary(p => p.Key, p => p.Value);
        List<ClassMetrics>? classes = null;
        List<IReadOnlyList<long>>? matrix = null;
        if (data.Classification is { } report && data.Matrix is { } m)
        {
            var names = data.ClassNames ?? [];
            classes = [];
            for (int k = 0; k < report.Classes; k++)
                classes.Add(new ClassMetrics(k < names.Count ? names[k] : k.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    report.Precision[k], report.Recall[k], report.F1[k], report.Support[k]));
            matrix = [];
            for (int a = 0; a < m.Classes; a++)
            {
                var row = new long[m.Classes];
                for (int p = 0; p < m.Classes; p++) row[p] = m[a, p];
                matrix.Add(row);
            }
        }
        return new RunDetail(summary, options, Json.Finite(data.Metrics), classes, matrix, data.CheckpointPath is not null, null);
    }
}

/// <summary>One epoch of a run's history, as metrics.json holds it.</summary>
public sealed record EpochJson(int Epoch, double? TrainLoss, double? TrainAccuracy, double? ValLoss, double? ValAccuracy, double? LearningRate, double? Seconds)
{
    public static EpochJson Of(EpochMetrics e) => new(e.Epoch, Json.Finite(e.TrainLoss), Json.Finite(e.TrainAccuracy), Json.Finite(e.ValLoss),
        Json.Finite(e.ValAccuracy), Json.Finite(e.LearningRate), Json.Finite(e.Seconds));
}

/// <summary>A run's per-epoch history; empty until its first epoch ends, or when its folder cannot be read (<see cref="Unreadable"/> says why).</summary>
public sealed record RunMetrics(string Id, string Status, IReadOnlyList<EpochJson> Epochs, string? Unreadable);
