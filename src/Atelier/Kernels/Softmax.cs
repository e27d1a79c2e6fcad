using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Kernels;

/// <summary>
/// Softmax, log-softmax and the fused cross-entropy over one axis. Tensors are viewed as [outer, classes, inner]
/// with the softmax taken over <c>classes</c> (inner = 1 for the usual [N, C] logits: contiguous rows, vectorised;
/// inner &gt; 1, e.g. dim 1 of an image tensor, is strided and scalar).
/// Backward kernels overwrite <c>dinput</c>, or add to it when <c>accumulate</c>.
/// </summary>
public static class Softmax
{
    // out[o, c, i] = exp(x[o, c, i] - max_c x) / Σ_c exp(x[o, c, i] - max_c x)
    public static void Forward(Span<float> output, ReadOnlySpan<float> input, int outer, int classes, int inner)
    {
        CheckSizes(input.Length, output.Length, outer, classes, inner);
        if (classes == 0) return;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var x = input.Slice(o * classes, classes);
                var y = output.Slice(o * classes, classes);
                TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), y);
                TensorPrimitives.Exp(y, y);
                TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
            }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * classes * inner + i;
                float max = float.NegativeInfinity;
                for (int c = 0; c < classes; c++) max = MathF.Max(max, input[start + c * inner]);
                float sum = 0;
                for (int c = 0; c < classes; c++) sum += output[start + c * inner] = MathF.Exp(input[start + c * inner] - max);
                float scale = 1f / sum;
                for (int c = 0; c < classes; c++) output[start + c * inner] *= scale;
            }
    }

    // dx = y ⊙ (dy - Σ_c dy·y); y = softmax output
    public static void Backward(Span<float> dinput, ReadOnlySpan<float> output, ReadOnlySpan<float> doutput, int outer, int classes, int inner, bool accumulate)
    {
        CheckSizes(output.Length, doutput.Length, outer, classes, inner);
        CheckSizes(output.Length, dinput.Length, outer, classes, inner);
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var y = output.Slice(o * classes, classes);
                var dy = doutput.Slice(o * classes, classes);
                RowGradient(dinput.Slice(o * classes, classes), dy, y, TensorPrimitives.Dot(dy, y), log: false, accumulate);
            }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * classes * inner + i;
                float dot = 0;
                for (int c = 0; c < classes; c++) dot += doutput[start + c * inner] * output[start + c * inner];
                for (int c = 0; c < classes; c++)
                {
                    int k = start + c * inner;
                    float g = (doutput[k] - dot) * output[k];
                    dinput[k] = accumulate ? dinput[k] + g : g;
                }
            }
    }

    // out[o, c, i] = x[o, c, i] - max_c x - log Σ_c exp(x - max_c x); output must not alias input (rows are used as scratch)
    public static void LogForward(Span<float> output, ReadOnlySpan<float> input, int outer, int classes, int inner)
    {
        CheckSizes(input.Length, output.Length, outer, classes, inner);
        if (classes == 0) return;
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var x = input.Slice(o * classes, classes);
                var y = output.Slice(o * classes, classes);
                float max = TensorPrimitives.Max(x);
                TensorPrimitives.Subtract(x, max, y);
                TensorPrimitives.Exp(y, y);
                float logSum = max + MathF.Log(TensorPrimitives.Sum(y));
                TensorPrimitives.Subtract(x, logSum, y);
            }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * classes * inner + i;
                float max = float.NegativeInfinity;
                for (int c = 0; c < classes; c++) max = MathF.Max(max, input[start + c * inner]);
                float sum = 0;
                for (int c = 0; c < classes; c++) sum += MathF.Exp(input[start + c * inner] - max);
                float logSum = max + MathF.Log(sum);
                for (int c = 0; c < classes; c++) output[start + c * inner] = input[start + c * inner] - logSum;
            }
    }

    // dx = dy - exp(y) · Σ_c dy; y = log-softmax output
    public static void LogBackward(Span<float> dinput, ReadOnlySpan<float> output, ReadOnlySpan<float> doutput, int outer, int classes, int inner, bool accumulate)
    {
        CheckSizes(output.Length, doutput.Length, outer, classes, inner);
        CheckSizes(output.Length, dinput.Length, outer, classes, inner);
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                var dy = doutput.Slice(o * classes, classes);
                RowGradient(dinput.Slice(o * classes, classes), dy, output.Slice(o * classes, classes), TensorPrimitives.Sum(dy), log: true, accumulate);
            }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * classes * inner + i;
                float sum = 0;
                for (int c = 0; c < classes; c++) sum += doutput[start + c * inner];
                for (int c = 0; c < classes; c++)
                {
                    int k = start + c * inner;
                    float g = doutput[k] - MathF.Exp(output[k]) * sum;
                    dinput[k] = accumulate ? dinput[k] + g : g;
                }
            }
    }

    // One contiguous row: g = (dy - s)·y (softmax, s = Σ dy·y) or g = dy - e^y·s (log-softmax, s = Σ dy); dx = g or dx += g.
    private static void RowGradient(Span<float> dx, ReadOnlySpan<float> dy, ReadOnlySpan<float> y, float s, bool log, bool accumulate)
    {
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float py = ref MemoryMarshal.GetReference(y);
        int n = dx.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(s);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var d = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                var v = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = log ? d - Vector512.Exp(v) * vs : (d - vs) * v;
                if (accumulate) g += Vector512.LoadUnsafe(ref pdx, (nuint)i);
                g.StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref pdy, i), v = Unsafe.Add(ref py, i);
            float g = log ? d - MathF.Exp(v) * s : (d - s) * v;
            Unsafe.Add(ref pdx, i) = accumulate ? Unsafe.Add(ref pdx, i) + g : g;
        }
    }

    /// <summary>
    /// Fused log-softmax + negative log-likelihood with label smoothing ε and class weights w (empty: all 1), as
    /// torch 1.13's cross_entropy: lᵢ = (1-ε)·w[yᵢ]·(lse - x[yᵢ]) + (ε/C)·Σ_c w[c]·(lse - x[c]).
    /// logits and probs are [n, classes]; probs receives softmax(logits) for the backward pass.
    /// Returns Σᵢ lᵢ; <paramref name="targetWeightSum"/> = Σᵢ w[yᵢ], the divisor of PyTorch's weighted mean.
    /// Targets must be in range (the caller validates).
    /// </summary>
    public static double CrossEntropyForward(Span<float> probs, ReadOnlySpan<float> logits, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> classWeights, float labelSmoothing, int n, int classes, out double targetWeightSum)
    {
        CheckSizes(logits.Length, probs.Length, n, classes, 1);
        bool weighted = !classWeights.IsEmpty;
        double weightTotal = weighted ? TensorPrimitives.Sum(classWeights) : classes;
        double total = 0;
        targetWeightSum = 0;
        for (int r = 0; r < n; r++)
        {
            var x = logits.Slice(r * classes, classes);
            var p = probs.Slice(r * classes, classes);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, p);
            TensorPrimitives.Exp(p, p);
            float sum = TensorPrimitives.Sum(p);
            TensorPrimitives.Multiply(p, 1f / sum, p);
            double lse = max + Math.Log(sum);

            int y = targets[r];
            double wy = weighted ? classWeights[y] : 1.0;
            double loss = (1.0 - labelSmoothing) * wy * (lse - x[y]);
            if (labelSmoothing != 0)
            {
                double weightedLogits = weighted ? TensorPrimitives.Dot(classWeights, x) : TensorPrimitives.Sum(x);
                loss += labelSmoothing / (double)classes * (lse * weightTotal - weightedLogits);
            }
            total += loss;
            targetWeightSum += wy;
        }
        return total;
    }

    /// <summary>
    /// dlogits[i, j] = scale · (p[i, j]·((1-ε)·w[yᵢ] + (ε/C)·Σw) - (1-ε)·w[yᵢ]·[j = yᵢ] - (ε/C)·w[j]),
    /// scale = upstream gradient / divisor of the reduction.
    /// </summary>
    public static void CrossEntropyBackward(Span<float> dlogits, ReadOnlySpan<float> probs, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> classWeights, float labelSmoothing, float scale, int n, int classes, bool accumulate)
    {
        CheckSizes(probs.Length, dlogits.Length, n, classes, 1);
        bool weighted = !classWeights.IsEmpty;
        float weightTotal = weighted ? TensorPrimitives.Sum(classWeights) : classes;
        float smooth = labelSmoothing / classes;
        for (int r = 0; r < n; r++)
        {
            var p = probs.Slice(r * classes, classes);
            var dx = dlogits.Slice(r * classes, classes);
            int y = targets[r];
            float wy = weighted ? classWeights[y] : 1f;
            float probScale = scale * ((1f - labelSmoothing) * wy + smooth * weightTotal);
            if (accumulate) TensorPrimitives.MultiplyAdd(p, probScale, dx, dx);
            else TensorPrimitives.Multiply(p, probScale, dx);
            if (smooth != 0)
            {
                if (weighted) TensorPrimitives.MultiplyAdd(classWeights, -scale * smooth, dx, dx);
                else TensorPrimitives.Subtract(dx, scale * smooth, dx);
            }
            dx[y] -= scale * (1f - labelSmoothing) * wy;
        }
    }

    private static void CheckSizes(int a, int b, int outer, int classes, int inner)
    {
        long size = (long)outer * classes * inner;
        if (a != size || b != size)
            throw new ArgumentException($"Softmax kernels need spans of {outer}x{classes}x{inner} = {size} floats, got {a} and {b}.");
    }
}
