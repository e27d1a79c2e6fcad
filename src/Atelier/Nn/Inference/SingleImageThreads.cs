using System.Diagnostics;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn.Inference;

/// <summary>
/// Runs a folded model, single images either on the kernels' pool or on the calling thread alone, whichever timed
/// faster on this machine once the model had a few of them. Neither wins everywhere: across the zoo (2 threads, Zen 5
/// VM, 2026-12-04) one image took 0.58-1.50x as long on 2 threads as on 1. `vgg16`, `resnet` and `cnn-wide` gain from
/// the second core; `resnet-small`, `cnn-simple` and `mlp-bn` lose 1.3-1.5x to the hand-offs and to small activations
/// moving between cores, layer after layer. Batches always go to the pool. The bits are the same either way (every
/// kernel gives the same on 1 thread as on several), so only the time depends on the choice.
/// Not thread-safe, as the model it runs is not.
/// </summary>
public sealed class SingleImageThreads(Module model)
{
    /// <summary>
    /// Single images run on the pool until this many have, the first at least <see cref="SecondsBeforeChoice"/> ago:
    /// a one-off prediction does not pay for the timing, and the JIT has compiled the kernels' final code by then
    /// (its tiering, and the compiler thread beside the pool, would time something else).
    /// </summary>
    public const int CallsBeforeChoice = 64;

    public const double SecondsBeforeChoice = 1;

    private const int Rounds = 5;
    private const double RoundMilliseconds = 2;

    private int singles;
    private long firstSingle;

    public Module Model => model;

    /// <summary>Whether single images run on the calling thread alone; null until chosen.</summary>
    public bool? Alone { get; private set; }

    /// <summary>The model's output for <paramref name="input"/> (under Tape.NoGrad, as any folded model runs).</summary>
    public Tensor Forward(Tensor input)
    {
        if (input.Shape[0] != 1 || Workers.ThreadCount == 1) return model.Forward(input);
        if (Alone is null && ChoiceDue()) Alone = AloneIsFaster(input);
        using (Workers.Alone(Alone == true)) return model.Forward(input);
    }

    private bool ChoiceDue()
    {
        if (singles++ == 0) firstSingle = Stopwatch.GetTimestamp();
        return singles > CallsBeforeChoice && Stopwatch.GetElapsedTime(firstSingle).TotalSeconds >= SecondsBeforeChoice;
    }

    // Rounds of each, alternating so that the machine's drift hits both, each round as many passes as fill about 2 ms;
    // the medians decide.
    private bool AloneIsFaster(Tensor input)
    {
        int passes = (int)Math.Clamp(RoundMilliseconds / Milliseconds(input, 1, alone: false), 1, 1000);
        var pool = new double[Rounds];
        var single = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            pool[r] = Milliseconds(input, passes, alone: false);
            single[r] = Milliseconds(input, passes, alone: true);
        }
        Array.Sort(pool);
        Array.Sort(single);
        return single[Rounds / 2] < pool[Rounds / 2];
    }

    private double Milliseconds(Tensor input, int passes, bool alone)
    {
        using var scope = Workers.Alone(alone);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < passes; i++) model.Forward(input);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds / passes;
    }
}
