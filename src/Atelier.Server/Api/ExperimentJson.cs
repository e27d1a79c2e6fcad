namespace Atelier.Server.Api;

/// <summary>An experiment in the list: its run count and its best finished run by test accuracy.</summary>
public sealed record ExperimentSummary(string Name, int Runs, int Finished, string? BestRun, double? BestTestAccuracy);

/// <summary>One row of an experiment's comparison table (the key metrics of `atelier report` on an experiment).</summary>
public sealed record ExperimentRow(string Id, string Model, string Status, int Epochs, int? BestEpoch, double? TestAccuracy, double? TestLoss,
    double? MacroF1, double? TrainingSeconds, string? Unreadable);

/// <summary>An experiment and the comparison table of its runs, in the order they started.</summary>
public sealed record ExperimentDetail(string Name, IReadOnlyList<ExperimentRow> Runs);
