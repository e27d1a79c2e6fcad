using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>torch.nn.BatchNorm2d over [N, C, H, W] (statistics per channel over N, H and W).</summary>
public sealed class BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f) : BatchNorm(channels, eps, momentum)
{
    protected override void CheckRank(Shape input)
    {
        if (input.Rank != 4) throw new ArgumentException($"BatchNorm2d expects input [N, C, H, W], got {input}.");
    }
}
