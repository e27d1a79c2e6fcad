using Atelier.Tensors;

namespace Atelier.Nn.Inference;

/// <summary>
/// What predictions run: a folded model, single images on the threads that are faster for them
/// (<see cref="SingleImageThreads"/>), batches whole or in the slices that are faster for them (<see cref="BatchSlices"/>),
/// each choice timed once on this machine. Not thread-safe, as the model it runs is not.
/// </summary>
public sealed class Predictor(Module model)
{
    public Module Model => model;

    public SingleImageThreads Singles { get; } = new(model);

    public BatchSlices Batches { get; } = new(model);

    /// <summary>The model's output for <paramref name="input"/> (under Tape.NoGrad, as any folded model runs).</summary>
    public Tensor Forward(Tensor input) => input.Shape[0] == 1 ? Singles.Forward(input) : Batches.Forward(input);
}
