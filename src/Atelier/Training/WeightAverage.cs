using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Training;

/// <summary>
/// An exponential moving average of a model's weights (Polyak averaging; timm's ModelEma, torch.optim.swa_utils'
/// AveragedModel with an EMA function), kept in a second copy of the model: after every optimizer step,
/// avg ← d·avg + (1 − d)·w, with TensorFlow's warm-up d = min(decay, (1 + t)/(10 + t)) at update t (0-based) so the
/// first updates are not swamped by the random initial weights. Buffers (batch-norm running statistics) are copied,
/// not averaged: they belong to the weights they were measured with, so the caller recomputes them for the averaged
/// weights before evaluating it (<see cref="BatchNormRecalibration"/>).
/// </summary>
public sealed class WeightAverage
{
    private readonly Tensor[] sourceParameters, averageParameters, sourceBuffers, averageBuffers;

    /// <param name="source">the model being trained.</param>
    /// <param name="average">a second model of the same architecture (its values are overwritten with <paramref name="source"/>'s).</param>
    /// <param name="decay">the long-run decay d, in (0, 1): 0.999 averages over about the last 1,000 steps.</param>
    public WeightAverage(Module source, Module average, double decay)
    {
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The averaging decay is in (0, 1).");
        var own = source.StateDict();
        var theirs = average.StateDict();
        if (own.Count != theirs.Count || own.Zip(theirs).Any(p => p.First.Name != p.Second.Name || p.First.Tensor.Shape != p.Second.Tensor.Shape))
            throw new ArgumentException("The averaged model must have the same architecture as the trained one.", nameof(average));
        var parameters = new HashSet<Tensor>(source.Parameters(), ReferenceEqualityComparer.Instance);
        sourceParameters = own.Where(e => parameters.Contains(e.Tensor)).Select(e => e.Tensor).ToArray();
        averageParameters = theirs.Where((_, i) => parameters.Contains(own[i].Tensor)).Select(e => e.Tensor).ToArray();
        sourceBuffers = own.Where(e => !parameters.Contains(e.Tensor)).Select(e => e.Tensor).ToArray();
        averageBuffers = theirs.Where((_, i) => !parameters.Contains(own[i].Tensor)).Select(e => e.Tensor).ToArray();
        foreach (var p in averageParameters) p.RequiresGrad = false;
        Decay = decay;
        Average = average;
        Reset();
    }

    public double Decay { get; }

    /// <summary>The averaged weights, as a model to evaluate and save.</summary>
    public Module Average { get; }

    /// <summary>Updates made so far (the warm-up's t); saved with a resumable run.</summary>
    public long Updates { get; set; }

    /// <summary>The decay the next update uses.</summary>
    public double CurrentDecay => Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates));

    /// <summary>Starts the average afresh at the source's current values.</summary>
    public void Reset()
    {
        for (int i = 0; i < sourceParameters.Length; i++) sourceParameters[i].Span.CopyTo(averageParameters[i].Span);
        CopyBuffers();
        Updates = 0;
    }

    /// <summary>One update after an optimizer step. Allocates nothing.</summary>
    public void Update()
    {
        float keep = (float)CurrentDecay;
        for (int i = 0; i < sourceParameters.Length; i++)
        {
            var avg = averageParameters[i].Span;
            // avg + (w − avg)·(1 − d) = d·avg + (1 − d)·w
            TensorPrimitives.Lerp(avg, sourceParameters[i].Span, 1f - keep, avg);
        }
        CopyBuffers();
        Updates++;
    }

    private void CopyBuffers()
    {
        for (int i = 0; i < sourceBuffers.Length; i++) sourceBuffers[i].Span.CopyTo(averageBuffers[i].Span);
    }
}
