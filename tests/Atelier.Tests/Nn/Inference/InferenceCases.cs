using Atelier.Kernels;
using Atelier.Tensors;
using Atelier.Tests.Serialization.Onnx;

namespace Atelier.Tests.Nn.Inference;

/// <summary>What the predictor tests share: normalised input tensors and a thread count set for one test.</summary>
internal static class InferenceCases
{
    public static Tensor Input(float[] pixels, int batch)
    {
        var input = new Tensor(new Shape(batch, 1, 28, 28));
        var span = input.Span;
        for (int i = 0; i < span.Length; i++) span[i] = ZooCases.Normalization.Apply(pixels[i]);
        return input;
    }

    public static void WithThreads(int threads, Action action)
    {
        int saved = Workers.ThreadCount;
        Workers.ThreadCount = threads;
        try
        {
            action();
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
    }
}
