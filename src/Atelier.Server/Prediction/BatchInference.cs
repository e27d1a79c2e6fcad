using Atelier.Training;
using Atelier.Tensors;

namespace Atelier.Server.Prediction;

/// <summary>
/// <see cref="Checkpoint.Predict"/> for many images in one forward pass: one [N,1,H,W] tensor, the same byte table
/// normalisation, softmax per row, and the mirrored pass averaged in when the run evaluated with flip TTA.
/// Not thread-safe: the model reuses its buffers, so only its <see cref="BatchingPredictor"/> calls this.
/// </summary>
public static class BatchInference
{
    /// <param name="images">N images of <paramref name="height"/>×<paramref name="width"/> bytes, as the dataset stores them.</param>
    /// <returns>N arrays of class probabilities.</returns>
    public static float[][] Predict(Checkpoint checkpoint, IReadOnlyList<byte[]> images, int height, int width)
    {
        int n = images.Count, pixels = height * width, classes = checkpoint.ClassNames.Count;
        var input = new Tensor(new Shape(n, 1, height, width));
        var table = checkpoint.Normalization.ByteTable();
        var span = input.Span;
        for (int b = 0; b < n; b++)
        {
            var image = images[b];
            if (image.Length != pixels) throw new ArgumentException($"Image {b} has {image.Length} pixels, not {height}x{width}.");
            for (int i = 0; i < pixels; i++) span[b * pixels + i] = table[image[i]];
        }
        var probs = new float[n * classes];
        using (Autograd.Tape.NoGrad())
        {
            // The output lives in the model's reused buffers: read it before the next forward pass.
            Kernels.Softmax.Forward(probs, checkpoint.Predictor.Forward(input).Span, n, classes, 1);
            if (checkpoint.Options.UsesFlipTta)
            {
                for (int row = 0; row < n * height; row++) span.Slice(row * width, width).Reverse();
                var mirrored = new float[probs.Length];
                Kernels.Softmax.Forward(mirrored, checkpoint.Predictor.Forward(input).Span, n, classes, 1);
                System.Numerics.Tensors.TensorPrimitives.Add(probs, mirrored, probs);
                System.Numerics.Tensors.TensorPrimitives.Multiply(probs, 0.5f, probs);
            }
        }
        var result = new float[n][];
        for (int b = 0; b < n; b++) result[b] = probs.AsSpan(b * classes, classes).ToArray();
        return result;
    }
}
