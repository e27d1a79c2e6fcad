using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Kernels;

/// <summary>
/// Batch normalisation over [N, C, S] (S = 1 for [N, C], L for [N, C, L], H·W for images): per channel c,
/// y = (x - mean)·invStd·weight + bias with batch statistics (training, biased variance) or running ones (eval).
/// Scratch is 3·C floats owned by the caller. With <c>relu</c> the kernels are BatchNorm followed by ReLU in one:
/// y = max(BN(x), 0) forward, and backward the incoming gradient is first masked by y &gt; 0 (in place, channel by
/// channel while it is in cache), which saves the ReLU layer's two passes over memory.
/// </summary>
public static class BatchNormalization
{
    // y: [N, C, S]; mean, variance (biased), invStd: [C] out; x: [N, C, S]; weight, bias: [C]; scratch: [3C]
    public static void ForwardTrain(Span<float> y, Span<float> mean, Span<float> variance, Span<float> invStd,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int n, int c, int s, float eps, Span<float> scratch,
        bool relu = false)
    {
        float inv = 1f / ((long)n * s);
        if (s == 1)
        {
            // [N, C]: accumulate whole rows so every step is a vector op over channels; y serves as a temporary.
            mean.Clear();
            for (int i = 0; i < n; i++) TensorPrimitives.Add(mean, x.Slice(i * c, c), mean);
            TensorPrimitives.Multiply(mean, inv, mean);
            variance.Clear();
            for (int i = 0; i < n; i++)
            {
                var row = y.Slice(i * c, c);
                TensorPrimitives.Subtract(x.Slice(i * c, c), mean, row);
                TensorPrimitives.MultiplyAdd(row, row, variance, variance);
            }
            TensorPrimitives.Multiply(variance, inv, variance);
        }
        else
        {
            ChannelPasses(new ChannelWork { Kind = Pass.Train, Y = y, X = x, MeanOut = mean, VarianceOut = variance, InvStdOut = invStd,
                Weight = weight, Bias = bias, N = n, C = c, S = s, Eps = eps, Relu = relu });
            return;
        }
        for (int ch = 0; ch < c; ch++) invStd[ch] = 1f / MathF.Sqrt(variance[ch] + eps);
        Normalize(y, x, mean, invStd, weight, bias, n, c, s, scratch, relu);
    }

    // running = (1 - momentum)·running + momentum·batch, with the unbiased variance (count = N·S values per channel), as PyTorch.
    public static void UpdateRunningStatistics(Span<float> runningMean, Span<float> runningVar, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> variance, long count, float momentum)
    {
        float unbias = count > 1 ? (float)count / (count - 1) : 1f;
        for (int ch = 0; ch < runningMean.Length; ch++)
        {
            runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean[ch];
            runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * variance[ch] * unbias;
        }
    }

    // y: [N, C, S] with the running statistics; invStd: [C] out (kept for backward)
    public static void ForwardEval(Span<float> y, Span<float> invStd, ReadOnlySpan<float> x, ReadOnlySpan<float> runningMean,
        ReadOnlySpan<float> runningVar, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int n, int c, int s, float eps, Span<float> scratch,
        bool relu = false)
    {
        for (int ch = 0; ch < c; ch++) invStd[ch] = 1f / MathF.Sqrt(runningVar[ch] + eps);
        if (s > 1)
        {
            ChannelPasses(new ChannelWork { Kind = Pass.Normalize, Y = y, X = x, Mean = runningMean, InvStd = invStd,
                Weight = weight, Bias = bias, N = n, C = c, S = s, Relu = relu });
            return;
        }
        Normalize(y, x, runningMean, invStd, weight, bias, n, c, s, scratch, relu);
    }

    // y = x·scale + shift per channel, scale = weight·invStd, shift = bias - mean·scale
    private static void Normalize(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int n, int c, int s, Span<float> scratch, bool relu)
    {
        var scale = scratch[..c];
        var shift = scratch.Slice(c, c);
        for (int ch = 0; ch < c; ch++)
        {
            scale[ch] = weight[ch] * invStd[ch];
            shift[ch] = bias[ch] - mean[ch] * scale[ch];
        }
        for (int i = 0; i < n; i++)
        {
            if (s == 1)
            {
                TensorPrimitives.MultiplyAdd(x.Slice(i * c, c), scale, shift, y.Slice(i * c, c));
                if (relu) TensorPrimitives.Max(y.Slice(i * c, c), 0f, y.Slice(i * c, c));
                continue;
            }
            for (int ch = 0; ch < c; ch++)
            {
                int at = (i * c + ch) * s;
                ScaleShift(y.Slice(at, s), x.Slice(at, s), scale[ch], shift[ch], relu);
            }
        }
    }

    /// <summary>
    /// dySum[c] = Σ dy, dyXhatSum[c] = Σ dy·x̂ (the bias and weight gradients before accumulation); dx (if not empty)
    /// is set or added to: through the batch statistics when <paramref name="training"/>, else as the affine map it is.
    /// mean is the batch mean (training) or running mean (eval); invStd as saved by the forward pass. With
    /// <paramref name="reluOutput"/> (the fused forward's y), dy is the gradient after the ReLU: it is masked in place first.
    /// </summary>
    // dx, dy, x: [N, C, S]; dyXhatSum, dySum, mean, invStd, weight: [C]; scratch: [3C]
    public static void Backward(Span<float> dx, bool accumulateDx, Span<float> dyXhatSum, Span<float> dySum,
        Span<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> weight, int n, int c, int s, bool training, Span<float> scratch, ReadOnlySpan<float> reluOutput = default)
    {
        var a = scratch[..c];
        var b = scratch.Slice(c, c);
        var c0 = scratch.Slice(2 * c, c);
        if (s == 1)
        {
            if (!reluOutput.IsEmpty) MaskByPositive(dy, reluOutput);
            dySum.Clear();
            dyXhatSum.Clear();
            for (int i = 0; i < n; i++)
            {
                var dyRow = dy.Slice(i * c, c);
                TensorPrimitives.Add(dySum, dyRow, dySum);
                TensorPrimitives.Subtract(x.Slice(i * c, c), mean, b); // b is free until the coefficients below
                TensorPrimitives.MultiplyAdd(dyRow, b, dyXhatSum, dyXhatSum);
            }
        }
        else
        {
            ChannelPasses(new ChannelWork { Kind = Pass.Backward, Dx = dx, AccumulateDx = accumulateDx, DyXhatSum = dyXhatSum, DySum = dySum,
                Dy = dy, X = x, Mean = mean, InvStd = invStd, Weight = weight, N = n, C = c, S = s, Training = training, ReluOutput = reluOutput });
            return;
        }
        TensorPrimitives.Multiply(dyXhatSum, invStd, dyXhatSum);
        if (dx.IsEmpty) return;

        // dx = a·dy + b·x + c0 per channel.
        float inv = 1f / ((long)n * s);
        for (int ch = 0; ch < c; ch++)
        {
            a[ch] = weight[ch] * invStd[ch];
            if (training)
            {
                b[ch] = -a[ch] * invStd[ch] * dyXhatSum[ch] * inv;
                c0[ch] = -a[ch] * dySum[ch] * inv - b[ch] * mean[ch];
            }
            else b[ch] = c0[ch] = 0;
        }
        for (int i = 0; i < n; i++)
        {
            if (s == 1)
            {
                var d = dx.Slice(i * c, c);
                if (accumulateDx) TensorPrimitives.MultiplyAdd(dy.Slice(i * c, c), a, d, d);
                else TensorPrimitives.Multiply(dy.Slice(i * c, c), a, d);
                if (!training) continue;
                TensorPrimitives.MultiplyAdd(x.Slice(i * c, c), b, d, d);
                TensorPrimitives.Add(d, c0, d);
                continue;
            }
            for (int ch = 0; ch < c; ch++)
            {
                int at = (i * c + ch) * s;
                Combine(dx.Slice(at, s), accumulateDx, dy.Slice(at, s), a[ch], x.Slice(at, s), b[ch], c0[ch]);
            }
        }
    }

    private enum Pass { Train, Normalize, Backward }

    /// <summary>
    /// The [N, C, S] kernels, one channel at a time so its N·S values stay in cache between the passes over them
    /// (sum, centred squares, normalise; or the two gradient sums, then dx), channels split across the workers.
    /// Each channel's sums are formed by one thread in a fixed order, so results do not depend on the thread count.
    /// </summary>
    private ref struct ChannelWork : IWorkItem
    {
        public Pass Kind;
        public Span<float> Y, MeanOut, VarianceOut, InvStdOut, Dx, DyXhatSum, DySum, Dy;
        public ReadOnlySpan<float> X, Weight, Bias, Mean, InvStd, ReluOutput;
        public int N, C, S;
        public float Eps;
        public bool AccumulateDx, Training, Relu;

        public void Run(int start, int end)
        {
            for (int ch = start; ch < end; ch++)
            {
                if (Kind == Pass.Train) Train(ch);
                else if (Kind == Pass.Normalize) Normalize(ch, Mean[ch], InvStd[ch]);
                else Backward(ch);
            }
        }

        private void Train(int ch)
        {
            float inv = 1f / ((long)N * S);
            double sum = 0;
            for (int i = 0; i < N; i++) sum += TensorPrimitives.Sum(X.Slice((i * C + ch) * S, S));
            float m = (float)(sum * inv);
            double squares = 0;
            for (int i = 0; i < N; i++) squares += SumOfCenteredSquares(X.Slice((i * C + ch) * S, S), m);
            float v = (float)(squares * inv);
            MeanOut[ch] = m;
            VarianceOut[ch] = v;
            float invStd = 1f / MathF.Sqrt(v + Eps);
            InvStdOut[ch] = invStd;
            Normalize(ch, m, invStd);
        }

        // y = x·scale + shift, scale = weight·invStd, shift = bias - mean·scale
        private readonly void Normalize(int ch, float mean, float invStd)
        {
            float scale = Weight[ch] * invStd, shift = Bias[ch] - mean * scale;
            for (int i = 0; i < N; i++)
            {
                int at = (i * C + ch) * S;
                ScaleShift(Y.Slice(at, S), X.Slice(at, S), scale, shift, Relu);
            }
        }

        private void Backward(int ch)
        {
            float mean = Mean[ch], invStd = InvStd[ch];
            double sumDy = 0, sumDyCentered = 0;
            for (int i = 0; i < N; i++)
            {
                int at = (i * C + ch) * S;
                if (!ReluOutput.IsEmpty)
                {
                    // Masking and summing in one pass: a channel's dy, x and y together would not fit in L2.
                    var (sum, centered) = MaskAndSum(Dy.Slice(at, S), ReluOutput.Slice(at, S), X.Slice(at, S), mean);
                    sumDy += sum;
                    sumDyCentered += centered;
                    continue;
                }
                sumDy += TensorPrimitives.Sum(Dy.Slice(at, S));
                sumDyCentered += DotCentered(Dy.Slice(at, S), X.Slice(at, S), mean);
            }
            DySum[ch] = (float)sumDy;
            float dyXhat = (float)sumDyCentered * invStd;
            DyXhatSum[ch] = dyXhat;
            if (Dx.IsEmpty) return;
            // dx = a·dy + b·x + c0
            float inv = 1f / ((long)N * S);
            float a = Weight[ch] * invStd, b = 0, c0 = 0;
            if (Training)
            {
                b = -a * invStd * dyXhat * inv;
                c0 = -a * (float)sumDy * inv - b * mean;
            }
            for (int i = 0; i < N; i++)
            {
                int at = (i * C + ch) * S;
                Combine(Dx.Slice(at, S), AccumulateDx, Dy.Slice(at, S), a, X.Slice(at, S), b, c0);
            }
        }
    }

    private static void ChannelPasses(ChannelWork work)
    {
        // Small tensors stay on the calling thread: the hand-off costs more than the work.
        if ((long)work.N * work.C * work.S < 32 * 1024 || Workers.ThreadCount == 1) work.Run(0, work.C);
        else Workers.ForBalanced(work.C, ref work);
    }

    // y = x·scale + shift, then max(·, 0) when relu: one pass.
    private static void ScaleShift(Span<float> y, ReadOnlySpan<float> x, float scale, float shift, bool relu)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int len = y.Length, i = 0;
        float floor = relu ? 0f : float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a = Vector512.Create(scale), b = Vector512.Create(shift), f = Vector512.Create(floor);
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.Max(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref px, (nuint)i), a, b), f).StoreUnsafe(ref py, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> a = Vector256.Create(scale), b = Vector256.Create(shift), f = Vector256.Create(floor);
            for (; i <= len - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.Max(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i), a, b), f).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < len; i++) Unsafe.Add(ref py, i) = Math.Max(MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i), scale, shift), floor);
    }

    // dy = 0 where y ≤ 0: the ReLU's gradient, applied to the gradient arriving after it.
    private static void MaskByPositive(Span<float> dy, ReadOnlySpan<float> y)
    {
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pd = ref MemoryMarshal.GetReference(dy);
        int len = dy.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.LoadUnsafe(ref py, (nuint)i), Vector512<float>.Zero);
                (Vector512.LoadUnsafe(ref pd, (nuint)i) & positive).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        for (; i < len; i++)
            if (!(Unsafe.Add(ref py, i) > 0)) Unsafe.Add(ref pd, i) = 0;
    }

    // dy = 0 where y ≤ 0, returning Σ dy and Σ dy·(x - mean) of the masked dy.
    private static (float Sum, float Centered) MaskAndSum(Span<float> dy, ReadOnlySpan<float> y, ReadOnlySpan<float> x, float mean)
    {
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float px = ref MemoryMarshal.GetReference(x);
        int len = dy.Length, i = 0;
        float sum = 0, centered = 0;
        if (Vector512.IsHardwareAccelerated && len >= Vector512<float>.Count)
        {
            Vector512<float> s = Vector512<float>.Zero, c = Vector512<float>.Zero, m = Vector512.Create(mean);
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var d = Vector512.LoadUnsafe(ref pd, (nuint)i) & Vector512.GreaterThan(Vector512.LoadUnsafe(ref py, (nuint)i), Vector512<float>.Zero);
                d.StoreUnsafe(ref pd, (nuint)i);
                s += d;
                c = Vector512.FusedMultiplyAdd(d, Vector512.LoadUnsafe(ref px, (nuint)i) - m, c);
            }
            sum = Vector512.Sum(s);
            centered = Vector512.Sum(c);
        }
        for (; i < len; i++)
        {
            ref float d = ref Unsafe.Add(ref pd, i);
            if (!(Unsafe.Add(ref py, i) > 0)) d = 0;
            sum += d;
            centered += d * (Unsafe.Add(ref px, i) - mean);
        }
        return (sum, centered);
    }

    // Σ (x - mean)², the biased variance's numerator without E[x²] - E[x]²'s cancellation.
    private static float SumOfCenteredSquares(ReadOnlySpan<float> x, float mean)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        int len = x.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && len >= Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            var m = Vector512.Create(mean);
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var d = Vector512.LoadUnsafe(ref px, (nuint)i) - m;
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            sum = Vector512.Sum(acc);
        }
        for (; i < len; i++)
        {
            float d = Unsafe.Add(ref px, i) - mean;
            sum += d * d;
        }
        return sum;
    }

    // Σ dy·(x - mean), without the cancellation of Σ dy·x - mean·Σ dy.
    private static float DotCentered(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean)
    {
        ref float pd = ref MemoryMarshal.GetReference(dy);
        ref float px = ref MemoryMarshal.GetReference(x);
        int len = dy.Length, i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && len >= Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            var m = Vector512.Create(mean);
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pd, (nuint)i), Vector512.LoadUnsafe(ref px, (nuint)i) - m, acc);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && len >= Vector256<float>.Count)
        {
            var acc = Vector256<float>.Zero;
            var m = Vector256.Create(mean);
            for (; i <= len - Vector256<float>.Count; i += Vector256<float>.Count)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pd, (nuint)i), Vector256.LoadUnsafe(ref px, (nuint)i) - m, acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < len; i++) sum += Unsafe.Add(ref pd, i) * (Unsafe.Add(ref px, i) - mean);
        return sum;
    }

    // dst = (accumulate ? dst : 0) + a·u + b·v + c0, for scalar a, b, c0 (v unused when b is 0 and empty).
    private static void Combine(Span<float> dst, bool accumulate, ReadOnlySpan<float> u, float a, ReadOnlySpan<float> v, float b, float c0)
    {
        if (v.IsEmpty || b == 0)
        {
            if (accumulate) { TensorPrimitives.MultiplyAdd(u, a, dst, dst); TensorPrimitives.Add(dst, c0, dst); }
            else { TensorPrimitives.Multiply(u, a, dst); TensorPrimitives.Add(dst, c0, dst); }
            return;
        }
        ref float pu = ref MemoryMarshal.GetReference(u);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float pd = ref MemoryMarshal.GetReference(dst);
        int len = dst.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(a), vb = Vector512.Create(b), vc = Vector512.Create(c0);
            for (; i <= len - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var r = Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref pu, (nuint)i),
                    Vector512.FusedMultiplyAdd(vb, Vector512.LoadUnsafe(ref pv, (nuint)i), vc));
                if (accumulate) r += Vector512.LoadUnsafe(ref pd, (nuint)i);
                r.StoreUnsafe(ref pd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> va = Vector256.Create(a), vb = Vector256.Create(b), vc = Vector256.Create(c0);
            for (; i <= len - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var r = Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref pu, (nuint)i),
                    Vector256.FusedMultiplyAdd(vb, Vector256.LoadUnsafe(ref pv, (nuint)i), vc));
                if (accumulate) r += Vector256.LoadUnsafe(ref pd, (nuint)i);
                r.StoreUnsafe(ref pd, (nuint)i);
            }
        }
        for (; i < len; i++)
        {
            float r = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref pu, i), MathF.FusedMultiplyAdd(b, Unsafe.Add(ref pv, i), c0));
            Unsafe.Add(ref pd, i) = accumulate ? Unsafe.Add(ref pd, i) + r : r;
        }
    }
}
