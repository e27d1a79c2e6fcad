using System.Numerics.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// A convolution's weight gradient summed over the batch in sample groups fixed by the batch size, not the thread
/// count: each group sums its samples in order into a partial of its own on one thread, and the partials are added in
/// group order, so 1 and 2 threads give the same bits. The kernels that take whole samples (<see cref="SampleByThread"/>,
/// <see cref="ShiftedRowWeightGradient"/>) share it; they differ only in how one group's samples are summed.
/// </summary>
internal static unsafe class WeightGradientGroups
{
    /// <summary>How one kernel sums a group of samples.</summary>
    public interface IGroupSum
    {
        /// <summary>Writes (not adds) into partial, [weights] floats, the weight gradient of samples [first, last).</summary>
        void Sum(float* partial, int first, int last);
    }

    private const int Groups = 8;

    // dweight: [weights] (+)= Σ over the batch; dbias: [OutC] (+)= Σ dY (either may be empty); dout: [N, OutC, OH, OW];
    // x: [N, C, H, W], checked here and read by sum.
    public static void Run<T>(Span<float> dweight, bool accumulateWeight, Span<float> dbias, bool accumulateBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g, int weights, in T sum) where T : struct, IGroupSum
    {
        int inSample = g.C * g.H * g.W, outSample = g.OutC * g.OutPlane;
        if (x.Length < (long)g.N * inSample || dout.Length < (long)g.N * outSample || (!dweight.IsEmpty && dweight.Length < weights)
            || (!dbias.IsEmpty && dbias.Length < g.OutC))
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        if (!dbias.IsEmpty)
            for (int n = 0; n < g.N; n++)
                StagingCopy.SumChannels(dbias, accumulateBias || n > 0, dout.Slice(n * outSample, outSample), g.OutC, g.OutPlane);
        if (dweight.IsEmpty) return;
        int groups = Math.Min(Groups, g.N);
        var partials = Partials(groups * weights);
        fixed (float* pp = partials)
        {
            var work = new Work<T> { Partials = pp, Weights = weights, N = g.N, Groups = groups, GroupSum = sum };
            Workers.For(groups, ref work, groups);
        }
        var target = dweight[..weights];
        if (accumulateWeight) TensorPrimitives.Add(target, partials[..weights], target);
        else partials[..weights].CopyTo(target);
        for (int group = 1; group < groups; group++) TensorPrimitives.Add(target, partials.Slice(group * weights, weights), target);
    }

    private struct Work<T> : IWorkItem where T : struct, IGroupSum
    {
        public float* Partials;
        public int Weights, N, Groups;
        public T GroupSum;

        // Groups [start, end): group k takes samples [N·k/Groups, N·(k+1)/Groups).
        public void Run(int start, int end)
        {
            for (int group = start; group < end; group++)
                GroupSum.Sum(Partials + (nint)group * Weights, (int)((long)N * group / Groups), (int)((long)N * (group + 1) / Groups));
        }
    }

    // The calling thread's partials: grown on demand, then reused, so warm calls allocate nothing.
    [ThreadStatic] private static float[]? partials;

    private static Span<float> Partials(int floats)
    {
        if (partials is null || partials.Length < floats) partials = GC.AllocateUninitializedArray<float>(floats);
        return partials.AsSpan(0, floats);
    }
}
