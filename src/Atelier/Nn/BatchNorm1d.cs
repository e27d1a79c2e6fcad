using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>torch.nn.BatchNorm1d over [N, C] or [N, C, L] (statistics per channel over N and L).</summary>
public sealed class BatchNorm1d(int features, float eps = 1e-5f, float momentum = 0.1f) : BatchNorm(features, eps, momentum)
{
    protected override void CheckRank(Shape input)
    {
        if (input.Rank is not (2 or 3)) throw new ArgumentException($"BatchNorm1d expects input [N, C] or [N, C, L], got {input}.");
    }
}
