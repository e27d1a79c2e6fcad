namespace Atelier.Server.Prediction;

/// <summary>A model's queue is full: the server is overloaded, not broken (503 with a sentence).</summary>
public sealed class PredictionQueueFullException(string message) : Exception(message);
