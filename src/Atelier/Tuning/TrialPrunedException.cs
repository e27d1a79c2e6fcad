namespace Atelier.Tuning;

/// <summary>Thrown by an objective when <see cref="Trial.ShouldPrune"/> says so (Optuna's TrialPruned): the trial ends pruned.</summary>
public sealed class TrialPrunedException(string message = "The trial was pruned.") : Exception(message);
