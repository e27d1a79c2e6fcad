using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>The argument checks the classification losses share, each failing with one sentence.</summary>
internal static class LossChecks
{
    /// <summary>Checks [N, C] scores against targets and class weights, and copies the first N targets into <paramref name="copy"/>.</summary>
    public static void ClassTargets(string loss, Shape scores, int[] targets, float[]? classWeights, [System.Diagnostics.CodeAnalysis.NotNull] ref int[]? copy)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Rank != 2)
            throw new ArgumentException($"{loss} expects scores of shape [N, C], got {scores}.", nameof(scores));
        int n = scores[0], classes = scores[1];
        if (targets.Length < n)
            throw new ArgumentException($"{loss} got {targets.Length} targets for a batch of {n}.", nameof(targets));
        if (classWeights is not null && classWeights.Length != classes)
            throw new ArgumentException($"{loss} has {classWeights.Length} class weights but the scores have {classes} classes.", nameof(classWeights));
        if (copy is null || copy.Length < n) copy = new int[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"{loss}: target {t} (sample {i}) is out of range for {classes} classes (0 to {classes - 1}).");
            copy[i] = t;
        }
    }
}
