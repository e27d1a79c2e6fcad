using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// Moves a batch chunk between NCHW ([nc, C, P]) and the channel-major layout a convolution GEMM reads and writes
/// ([C, nc·P]), with the bias add (forward) or the channel sums (backward) on the way. Split across the workers by
/// channel; each channel's sum is formed by one thread in a fixed order.
/// </summary>
internal static unsafe class StagingCopy
{
    // Below this many floats the copy runs on the calling thread.
    private const long ParallelFloats = 32 * 1024;

    // samples: [nc, C, P] = staged: [C, nc·P] + bias[c] (bias empty: none), then max(·, 0) with relu
    public static void ToSamples(Span<float> samples, ReadOnlySpan<float> staged, ReadOnlySpan<float> bias, int channels, int nc, int p, bool relu = false)
    {
        Check(samples.Length, staged.Length, channels, nc, p);
        fixed (float* ps = samples, pt = staged, pb = bias)
        {
            var work = new Work { Samples = ps, Staged = pt, Bias = bias.IsEmpty ? null : pb, Nc = nc, P = p, Channels = channels, ToSamples = true, Relu = relu };
            Run(ref work, (long)channels * nc * p);
        }
    }

    // staged: [C, nc·P] = samples: [nc, C, P]; sums[c] = (or += when accumulate) Σ staged[c, :] (sums empty: none)
    public static void FromSamples(Span<float> staged, ReadOnlySpan<float> samples, Span<float> sums, bool accumulate, int channels, int nc, int p)
    {
        Check(samples.Length, staged.Length, channels, nc, p);
        fixed (float* ps = samples, pt = staged, pb = sums)
        {
            var work = new Work { Samples = ps, Staged = pt, Sums = sums.IsEmpty ? null : pb, Accumulate = accumulate, Nc = nc, P = p, Channels = channels };
            Run(ref work, (long)channels * nc * p);
        }
    }

    // sums[c] = (or += when accumulate) Σ rows[c, :], rows: [C, length]
    public static void SumChannels(Span<float> sums, bool accumulate, ReadOnlySpan<float> rows, int channels, int length)
    {
        if (rows.Length < (long)channels * length || sums.Length < channels)
            throw new ArgumentException("Channel sums: a buffer is smaller than the shape needs.");
        for (int c = 0; c < channels; c++)
        {
            float sum = TensorPrimitives.Sum(rows.Slice(c * length, length));
            sums[c] = accumulate ? sums[c] + sum : sum;
        }
    }

    private static void Check(int samples, int staged, int channels, int nc, int p)
    {
        long size = (long)channels * nc * p;
        if (samples < size || staged < size) throw new ArgumentException("Staging copy: a buffer is smaller than the shape needs.");
    }

    private static void Run(ref Work work, long floats)
    {
        if (floats < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, work.Channels);
        else Workers.ForBalanced(work.Channels, ref work);
    }

    private struct Work : IWorkItem
    {
        public float* Samples, Staged, Bias, Sums;
        public int Nc, P, Channels;
        public bool ToSamples, Accumulate, Relu;

        // Channels [start, end).
        public readonly void Run(int start, int end)
        {
            int cols = Nc * P;
            for (int c = start; c < end; c++)
            {
                var row = new Span<float>(Staged + (nint)c * cols, cols);
                for (int n = 0; n < Nc; n++)
                {
                    var sample = new Span<float>(Samples + ((nint)n * Channels + c) * P, P);
                    var part = row.Slice(n * P, P);
                    if (!ToSamples) sample.CopyTo(part);
                    else if (Bias is null) part.CopyTo(sample);
                    else TensorPrimitives.Add(part, Bias[c], sample);
                    if (ToSamples && Relu) TensorPrimitives.Max(sample, 0f, sample);
                }
                if (Sums is null) continue;
                float sum = TensorPrimitives.Sum(row);
                Sums[c] = Accumulate ? Sums[c] + sum : sum;
            }
        }
    }
}
