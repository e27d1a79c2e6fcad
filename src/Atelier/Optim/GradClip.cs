using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>Gradient clipping, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales every gradient by maxNorm / (‖g‖ + 1e-6) when the global L2 norm ‖g‖ of all gradients together exceeds
    /// <paramref name="maxNorm"/>; returns ‖g‖ before clipping. Parameters without a gradient are ignored. A NaN norm
    /// leaves the gradients as they are (PyTorch would scale them by NaN): check the returned value.
    /// </summary>
    public static float ClipByNorm(IEnumerable<Tensor> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"The maximum gradient norm must be ≥ 0, got {maxNorm}.");
        // PyTorch takes each tensor's norm (in float), then the norm of those norms.
        double sumOfSquares = 0;
        foreach (var p in parameters)
        {
            if (!p.HasGrad || p.Grad is null) continue;
            float norm = (float)Math.Sqrt(SumOfSquares(p.Grad.Span));
            sumOfSquares += (double)norm * norm;
        }
        float total = (float)Math.Sqrt(sumOfSquares);
        float coefficient = maxNorm / (total + 1e-6f);
        if (coefficient < 1f)
            foreach (var p in parameters)
                if (p.HasGrad && p.Grad is not null) TensorPrimitives.Multiply(p.Grad.Span, coefficient, p.Grad.Span);
        return total;
    }

    // Double accumulation in float-width blocks: accurate for millions of elements, still vectorised.
    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        const int Block = 4096;
        double sum = 0;
        for (int i = 0; i < values.Length; i += Block)
            sum += TensorPrimitives.SumOfSquares(values.Slice(i, Math.Min(Block, values.Length - i)));
        return sum;
    }
}
