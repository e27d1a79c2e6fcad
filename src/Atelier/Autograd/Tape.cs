using Atelier.Tensors;

namespace Atelier.Autograd;

/// <summary>
/// Reverse-mode autodiff on a tape: ops record themselves in forward order, <see cref="Backward"/> replays them
/// in reverse. Ops are coarse (a whole Linear, Conv2d, BatchNorm...), so the tape stays a few dozen entries long.
/// One tape per thread.
/// </summary>
public static class Tape
{
    [ThreadStatic] private static List<IBackward>? ops;
    [ThreadStatic] private static int noGradDepth;
    [ThreadStatic] private static Action<IBackward, Tensor>? observer;

    private static List<IBackward> Ops => ops ??= new List<IBackward>(64);

    /// <summary>False inside a <see cref="NoGrad"/> scope: ops then record nothing.</summary>
    public static bool IsRecording => noGradDepth == 0;

    /// <summary>Number of ops waiting for a backward pass.</summary>
    public static int Count => ops?.Count ?? 0;

    /// <summary>
    /// Records <paramref name="op"/> if gradients are on and <paramref name="needsGrad"/> (some input or parameter
    /// requires a gradient); marks <paramref name="output"/> accordingly. Returns whether it recorded.
    /// </summary>
    public static bool Record(IBackward op, Tensor output, bool needsGrad)
    {
        observer?.Invoke(op, output);
        bool record = needsGrad && noGradDepth == 0;
        output.RequiresGrad = record;
        if (record) Ops.Add(op);
        return record;
    }

    /// <summary>
    /// Called on this thread at every <see cref="Record"/>, recording or not, with the op and its output: ops record
    /// once their output is computed, so the time between two calls is the later op's forward (the profiler's clock).
    /// </summary>
    internal static Action<IBackward, Tensor>? Observer { get => observer; set => observer = value; }

    /// <summary>What was recorded since the last backward pass or <see cref="Clear"/>, in forward order.</summary>
    internal static IReadOnlyList<IBackward> Recorded => Ops;

    /// <summary>Inference scope: nothing is recorded until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad()
    {
        noGradDepth++;
        return new NoGradScope();
    }

    /// <summary>Drops what was recorded (a forward pass whose backward will not run, e.g. validation).</summary>
    public static void Clear() => ops?.Clear();

    internal static void Backward(Tensor loss)
    {
        if (loss.Size != 1)
            throw new InvalidOperationException($"Backward() starts from a scalar loss; this tensor has shape {loss.Shape}.");
        if (!loss.RequiresGrad)
            throw new InvalidOperationException("Backward() was called on a tensor that does not require a gradient (computed under NoGrad, or from no parameter).");
        loss.GradForWrite(out _)[0] = 1f;
        var list = Ops;
        try
        {
            for (int i = list.Count - 1; i >= 0; i--) list[i].Backward();
        }
        finally
        {
            list.Clear();
        }
    }

    public readonly struct NoGradScope : IDisposable
    {
        public void Dispose() => noGradDepth--;
    }
}
