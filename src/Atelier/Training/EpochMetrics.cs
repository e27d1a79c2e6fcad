namespace Atelier.Training;

/// <summary>One row of a run's history: what Keras' fit() history and the reports' curves show.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, double LearningRate, double Seconds);
