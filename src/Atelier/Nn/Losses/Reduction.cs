namespace Atelier.Nn;

/// <summary>How a loss turns per-sample losses into one number, as PyTorch's reduction='mean' / 'sum'.</summary>
public enum Reduction
{
    /// <summary>Average over the batch (for weighted losses: divided by the sum of the targets' class weights).</summary>
    Mean,
    Sum,
}
