using Atelier.Training;

namespace Atelier.Server.Prediction;

/// <summary>A loaded checkpoint behind its worker, under the name requests pick it by (`?model=`).</summary>
/// <param name="Name">a run id, or the checkpoint's file name without extension.</param>
/// <param name="Side">the square input the model takes, in pixels.</param>
/// <param name="RunId">the run it came from, when it came from a run in the store.</param>
public sealed record ServedModel(string Name, Checkpoint Checkpoint, int Side, string? RunId, BatchingPredictor Predictor)
{
    public IReadOnlyList<string> ClassNames => Checkpoint.ClassNames;
}
