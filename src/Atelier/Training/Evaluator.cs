using System.Numerics.Tensors;
using Atelier.Autograd;
using Atelier.Data;
using Atelier.Nn;

namespace Atelier.Training;

/// <summary>A model's results on a dataset: loss, accuracy, and per-sample labels, predictions and probabilities.</summary>
public sealed record Evaluation(double Loss, double Accuracy, int[] Actual, int[] Predicted, float[] Probabilities, int Classes);

/// <summary>Runs a model over a dataset in eval mode under NoGrad: the cross-entropy, the predictions, the probabilities.</summary>
public static class Evaluator
{
    public static Evaluation Evaluate(Module model, DataLoader loader, int classes)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var loss = new CrossEntropyLoss();
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
                lossSum += loss.Forward(output, batch.Labels).Item() * batch.Count;
                var logits = output.Span;
                for (int i = 0; i < batch.Count; i++)
                {
                    var row = logits.Slice(i * classes, classes);
                    TensorPrimitives.SoftMax(row, probabilities.AsSpan((offset + i) * classes, classes));
                    predictions[offset + i] = TensorPrimitives.IndexOfMax(row);
                    actual[offset + i] = batch.Labels[i];
                    if (predictions[offset + i] == actual[offset + i]) correct++;
                }
                offset += batch.Count;
            }
        }
        if (wasTraining) model.Train();
        return new Evaluation(lossSum / Math.Max(1, offset), (double)correct / Math.Max(1, offset), actual, predictions, probabilities, classes);
    }
}
