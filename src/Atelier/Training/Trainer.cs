using System.Diagnostics;
using Atelier.Autograd;
using Atelier.Data;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>
/// The inner loop, as in a PyTorch script: forward, loss, backward, clip, step, schedule, per batch; and evaluation
/// under NoGrad. Knows nothing of files or terminals.
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly CrossEntropyLoss? crossEntropy;
    private readonly NllLoss? nll;
    private readonly LogSoftmax? logSoftmax;
    private readonly float clipNorm;
    private readonly Tensor[] parameters;

    public Trainer(Module model, Optimizer optimizer, LrScheduler? scheduler, string loss, float labelSmoothing, float clipNorm)
    {
        this.model = model;
        Optimizer = optimizer;
        Scheduler = scheduler;
        this.clipNorm = clipNorm;
        parameters = model.Parameters().ToArray();
        if (loss == "nll")
        {
            nll = new NllLoss();
            logSoftmax = new LogSoftmax();
        }
        else crossEntropy = new CrossEntropyLoss(Reduction.Mean, labelSmoothing);
    }

    public Optimizer Optimizer { get; }

    public LrScheduler? Scheduler { get; }

    /// <summary>Mixup or CutMix of each training batch, if the run mixes.</summary>
    public BatchMixer? Mixer { get; init; }

    /// <summary>The weight average updated after every optimizer step, if the run keeps one.</summary>
    public WeightAverage? Average { get; init; }

    /// <summary>One pass over <paramref name="loader"/>'s epoch <paramref name="epoch"/> (1-based); returns mean loss and accuracy.</summary>
    public (double Loss, double Accuracy) TrainEpoch(DataLoader loader, int epoch, int epochs, ITrainingObserver observer, CancellationToken cancel)
    {
        model.Train();
        observer.EpochStarted(epoch, epochs, loader.BatchCount);
        double lossSum = 0;
        long correct = 0, seen = 0;
        var clock = Stopwatch.StartNew();
        int batchIndex = 0;
        foreach (var batch in loader.Epoch(epoch - 1))
        {
            cancel.ThrowIfCancellationRequested();
            batchIndex++;
            Optimizer.ZeroGrad();
            var mix = Mixer?.Mix(batch, epoch);
            var output = model.Forward(batch.Images);
            var loss = mix is { } m ? crossEntropy!.Forward(output, batch.Labels, m.Partners, m.Lambda) : Loss(output, batch.Labels);
            float value = loss.Item();
            if (!float.IsFinite(value))
            {
                Tape.Clear();
                throw new NonFiniteLossException(epoch, batchIndex, value);
            }
            loss.Backward();
            if (clipNorm > 0) GradClip.ClipByNorm(parameters, clipNorm);
            Optimizer.Step();
            Average?.Update();
            if (Scheduler is { StepsPerBatch: true }) Scheduler.Step();

            lossSum += value * batch.Count;
            // A mixed batch counts as correct the label with the larger weight.
            var counted = mix is { Lambda: < 0.5f } heavier ? heavier.Partners : batch.Labels;
            correct += TopKAccuracy.CountCorrect(output.Span, output.Shape[1], counted.AsSpan(0, batch.Count), k: 1);
            seen += batch.Count;
            observer.BatchEnded(epoch, batchIndex, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds);
        }
        return (lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen));
    }

    /// <summary>Loss, accuracy, predictions and class probabilities on a dataset, in eval mode, recording nothing.</summary>
    public Evaluation Evaluate(DataLoader loader, int classes) => Evaluator.Evaluate(model, loader, classes);

    private Tensor Loss(Tensor output, int[] labels) =>
        crossEntropy is not null ? crossEntropy.Forward(output, labels) : nll!.Forward(logSoftmax!.Forward(output), labels);
}
