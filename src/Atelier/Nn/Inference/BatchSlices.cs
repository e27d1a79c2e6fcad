using System.Diagnostics;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn.Inference;

/// <summary>
/// Runs a folded model's batches whole or in slices of 16 or 64 images, whichever timed fastest on this machine once
/// the model had enough of them. Neither wins everywhere (2 threads, Zen 5 VM, 2026-12-04, 256 images a pass):
/// `resnet-small` ran 1.29x faster in slices of 16 (its activations, about 350 KB an image, then stay in the caches
/// from one layer to the next; a whole batch's go out to memory and come back), `vgg11` 1.40x faster in slices of 64,
/// while `mlp-bn` and `resnet9` ran 1.08-1.19x faster whole (their multiplications larger and their data smaller
/// beside them). A slice's outputs are the model's own for that slice; they can differ from the whole batch's by a few
/// float ulps, because some kernels choose by batch size. So results depend on the choice (never on the thread count).
/// Not thread-safe, as the model it runs is not.
/// </summary>
public sealed class BatchSlices(Module model)
{
    /// <summary>The slice sizes timed, the largest also the size of the timed pass (a batch that large runs whole).</summary>
    public static readonly int[] Sizes = [16, 64, 256];

    /// <summary>
    /// Batches run whole until the model has had this many images in batches, the first at least
    /// <see cref="SecondsBeforeChoice"/> ago, so the JIT has compiled the kernels' final code and a one-off prediction
    /// is not timed. The timing (2 warm and 5 timed rounds of the 3 sizes, 256 images a pass) then costs about as many
    /// images again: for `resnet9` 2 s, once.
    /// </summary>
    public const int ImagesBeforeChoice = 8192;

    public const double SecondsBeforeChoice = 1;

    private const int Rounds = 5;
    private const double RoundMilliseconds = 20;
    private const int WarmRounds = 2;
    private const double WarmSeconds = 0.5;

    private long images;
    private long firstBatch;
    private Tensor? part;
    private Tensor? output;

    public Module Model => model;

    /// <summary>The largest slice a batch runs in (a batch at most this large runs whole); null until chosen.</summary>
    public int? Slice { get; internal set; }

    /// <summary>The model's output for <paramref name="input"/>, a batch of [N, ...] (under Tape.NoGrad, as any folded model runs).</summary>
    public Tensor Forward(Tensor input)
    {
        int n = input.Shape[0];
        if (Slice is null && n > 1 && ChoiceDue(n)) Choose(input);
        return Slice is int s && n > s ? Sliced(input, s) : model.Forward(input);
    }

    /// <summary>
    /// Times the sizes now on <paramref name="example"/>'s images (repeated to fill a pass) and keeps the fastest: for a
    /// caller that knows it will run many batches (a benchmark, a server's warm-up).
    /// </summary>
    public void Choose(Tensor example)
    {
        using var noGrad = Tape.NoGrad();
        int largest = Sizes[^1], n = example.Shape[0], row = example.Shape.Size / n;
        var pass = new Tensor(example.Shape.WithBatch(largest));
        for (int i = 0; i < largest; i++) example.Span.Slice(i % n * row, row).CopyTo(pass.Span.Slice(i * row, row));
        int repeats = 1;
        double Time(int size)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < repeats; i++)
                if (size == largest) model.Forward(pass);
                else Sliced(pass, size);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds / repeats;
        }
        // Untimed rounds first, at least 2 and half a second: slices take kernels' branches that whole batches may not
        // have, and the JIT runs those at tier 0 until it has seen them (resnet-small's slices of 16 timed 1.4x slower
        // than whole batches in their first round, 1.3x faster warm).
        long warming = Stopwatch.GetTimestamp();
        double whole = 0;
        for (int r = 0; r < WarmRounds || Stopwatch.GetElapsedTime(warming).TotalSeconds < WarmSeconds; r++)
            foreach (int size in Sizes) whole = Time(size);
        // Each figure at least RoundMilliseconds of passes, so a fast model's few-millisecond pass is not all timer noise.
        repeats = (int)Math.Clamp(Math.Ceiling(RoundMilliseconds / whole), 1, 100);
        var times = Sizes.Select(_ => new double[Rounds]).ToArray();
        for (int r = 0; r < Rounds; r++)
            for (int k = 0; k < Sizes.Length; k++) times[k][r] = Time(Sizes[k]);
        var medians = times.Select(t => t.Order().ElementAt(Rounds / 2)).ToArray();
        Slice = Sizes[Array.IndexOf(medians, medians.Min())];
    }

    private bool ChoiceDue(int n)
    {
        if (images == 0) firstBatch = Stopwatch.GetTimestamp();
        images += n;
        return images >= ImagesBeforeChoice && Stopwatch.GetElapsedTime(firstBatch).TotalSeconds >= SecondsBeforeChoice;
    }

    // The batch in ceil(N / size) slices as even as can be (a batch of 37 in slices of 16: 13, 12, 12), each through the
    // model, its rows copied out before the next overwrites the model's buffers.
    private Tensor Sliced(Tensor input, int size)
    {
        int n = input.Shape[0], slices = (n + size - 1) / size, row = input.Shape.Size / n;
        part ??= new Tensor(input.Shape.WithBatch(size));
        Tensor? result = null;
        for (int k = 0, start = 0; k < slices; k++)
        {
            int count = n / slices + (k < n % slices ? 1 : 0);
            part.Resize(input.Shape.WithBatch(count));
            input.Span.Slice(start * row, count * row).CopyTo(part.Span);
            var y = model.Forward(part);
            int outRow = y.Shape.Size / count;
            result ??= Tensor.Ensure(ref output, y.Shape.WithBatch(n));
            y.Span[..(count * outRow)].CopyTo(result.Span.Slice(start * outRow, count * outRow));
            start += count;
        }
        return result!;
    }
}
