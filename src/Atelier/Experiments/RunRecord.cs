namespace Atelier.Experiments;

/// <summary>
/// One run as the store knows it. <see cref="Status"/> is what readers should show: a run recorded as running whose
/// process is gone (killed, power lost) reads "interrupted" (see <see cref="RunLiveness"/>).
/// </summary>
public sealed record RunRecord(string Id, string Model, string Status, string? Experiment, string Folder, DateTime Started, DateTime? Ended,
    string? Message, string? Host, int? ProcessId, DateTime? Heartbeat, int? BestEpoch, double? TestAccuracy, int Epochs);
