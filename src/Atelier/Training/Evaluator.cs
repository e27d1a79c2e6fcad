using System.Numerics.Tensors;
using Atelier.Autograd;
using Atelier.Data;
using Softmax = Atelier.Kernels.Softmax;
using Atelier.Nn;
using Tensor = Atelier.Tensors.Tensor;

namespace Atelier.Training;

/// <summary>A model's results on a dataset: loss, accuracy, and per-sample labels, predictions and probabilities.</summary>
public sealed record Evaluation(double Loss, double Accuracy, int[] Actual, int[] Predicted, float[] Probabilities, int Classes);

/// <summary>
/// Runs a model over a dataset in eval mode under NoGrad: the cross-entropy, the predictions, the probabilities.
/// With <c>flipTta</c> (test-time augmentation) each image is also seen mirrored left to right and the two softmax
/// outputs are averaged, as for models trained with random flips (a mirrored shirt is still a shirt).
/// </summary>
public static class Evaluator
{
    public static Evaluation Evaluate(Module model, DataLoader loader, int classes, bool flipTta = false)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var loss = new CrossEntropyLoss();
        var softmax = new float[classes];
        Tensor? mirror = null;
        int n = loader.SampleCount;
        var predictions = new int[n];
        var actual = new int[n];
        var probabilities = new float[n * classes];
        double lossSum = 0;
        int offset = 0, correct = 0;
        using (Tape.NoGrad())
        {
            foreach (var batch in loader.Epoch(0))
            {
                var output = model.Forward(batch.Images);
                if (!flipTta) lossSum += loss.Forward(output, batch.Labels).Item() * batch.Count;
                var batchProbabilities = probabilities.AsSpan(offset * classes, batch.Count * classes);
                // Kernels.Softmax subtracts each row's maximum first (TensorPrimitives.SoftMax does not: a logit above 88 overflows).
                Softmax.Forward(batchProbabilities, output.Span[..batchProbabilities.Length], batch.Count, classes, 1);
                if (flipTta)
                {
                    var flipped = model.Forward(Mirrored(batch.Images, ref mirror));
                    for (int i = 0; i < batch.Count; i++)
                    {
                        var p = batchProbabilities.Slice(i * classes, classes);
                        Softmax.Forward(softmax, flipped.Span.Slice(i * classes, classes), 1, classes, 1);
                        TensorPrimitives.Add(p, softmax, p);
                        TensorPrimitives.Multiply(p, 0.5f, p);
                    }
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    var p = batchProbabilities.Slice(i * classes, classes);
                    int label = batch.Labels[i];
                    // The cross-entropy of the averaged distribution, clamped as log(0) would be infinite.
                    if (flipTta) lossSum -= Math.Log(Math.Max(p[label], 1e-30f));
                    predictions[offset + i] = TensorPrimitives.IndexOfMax(p);
                    actual[offset + i] = label;
                    if (predictions[offset + i] == label) correct++;
                }
                offset += batch.Count;
            }
        }
        if (wasTraining) model.Train();
        return new Evaluation(lossSum / Math.Max(1, offset), (double)correct / Math.Max(1, offset), actual, predictions, probabilities, classes);
    }

    // The batch [N, C, H, W] mirrored along W, in a buffer reused across batches.
    private static Tensor Mirrored(Tensor images, ref Tensor? buffer)
    {
        var shape = images.Shape;
        if (shape.Rank != 4) throw new ArgumentException($"Flip test-time augmentation needs image batches [N, C, H, W], got {shape}.");
        var mirrored = Tensor.Ensure(ref buffer, shape);
        var source = images.Span;
        var target = mirrored.Span;
        int width = shape[3];
        for (int row = 0; row < source.Length; row += width)
        {
            var to = target.Slice(row, width);
            source.Slice(row, width).CopyTo(to);
            to.Reverse();
        }
        return mirrored;
    }
}
