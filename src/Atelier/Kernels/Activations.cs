using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Kernels;

/// <summary>
/// Elementwise activations and dropout over flat arrays of any shape, llm.c style:
/// <c>XForward(output, input)</c> and <c>XBackward(dinput, input or output, doutput, accumulate)</c>.
/// Backward kernels overwrite <c>dinput</c>, or add to it when <c>accumulate</c> (another op already wrote it).
/// In-place use (output aliasing input) is allowed: every element is read before it is written.
/// </summary>
public static class Activations
{
    // ---- ReLU: out = max(x, 0); dx = dout · [x > 0] (PyTorch's gradient at 0 is 0 too).

    public static void ReluForward(Span<float> output, ReadOnlySpan<float> input)
    {
        CheckLengths(input.Length, output.Length, output.Length);
        if (input.Length < ParallelFloats || Workers.ThreadCount == 1) TensorPrimitives.Max(input, 0f, output);
        else ParallelRelu(output, input, default, backward: false, accumulate: false);
    }

    public static void ReluBackward(Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> doutput, bool accumulate)
    {
        CheckLengths(input.Length, doutput.Length, dinput.Length);
        if (input.Length < ParallelFloats || Workers.ThreadCount == 1) MapGrad(new ReluGrad(), input, doutput, dinput, accumulate);
        else ParallelRelu(dinput, input, doutput, backward: true, accumulate);
    }

    // Large activations (a conv layer's output) are memory-bound: both cores' bandwidth halves the time.
    private const int ParallelFloats = 64 * 1024;
    private const int BlockFloats = 8 * 1024;

    private static unsafe void ParallelRelu(Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> doutput, bool backward, bool accumulate)
    {
        fixed (float* po = output, px = input, pd = doutput)
        {
            var work = new ReluWork { Output = po, Input = px, Doutput = pd, Length = input.Length, Backward = backward, Accumulate = accumulate };
            Workers.ForBalanced((input.Length + BlockFloats - 1) / BlockFloats, ref work);
        }
    }

    private unsafe struct ReluWork : IWorkItem
    {
        public float* Output, Input, Doutput;
        public int Length;
        public bool Backward, Accumulate;

        // Blocks of BlockFloats elements [start, end).
        public readonly void Run(int start, int end)
        {
            int from = start * BlockFloats, count = Math.Min(Length, end * BlockFloats) - from;
            var input = new ReadOnlySpan<float>(Input + from, count);
            var output = new Span<float>(Output + from, count);
            if (Backward) MapGrad(new ReluGrad(), input, new ReadOnlySpan<float>(Doutput + from, count), output, Accumulate);
            else TensorPrimitives.Max(input, 0f, output);
        }
    }

    // ---- LeakyReLU: out = x > 0 ? x : slope · x.

    public static void LeakyReluForward(Span<float> output, ReadOnlySpan<float> input, float negativeSlope)
        => Map(new LeakyRelu(negativeSlope), input, output);

    public static void LeakyReluBackward(Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> doutput, float negativeSlope, bool accumulate)
        => MapGrad(new LeakyReluGrad(negativeSlope), input, doutput, dinput, accumulate);

    // ---- Sigmoid: out = 1 / (1 + e^-x); dx = dout · out · (1 - out), from the output.

    public static void SigmoidForward(Span<float> output, ReadOnlySpan<float> input) => TensorPrimitives.Sigmoid(input, output);

    public static void SigmoidBackward(Span<float> dinput, ReadOnlySpan<float> output, ReadOnlySpan<float> doutput, bool accumulate)
        => MapGrad(new SigmoidGrad(), output, doutput, dinput, accumulate);

    // ---- Tanh: dx = dout · (1 - out²), from the output.

    public static void TanhForward(Span<float> output, ReadOnlySpan<float> input) => TensorPrimitives.Tanh(input, output);

    public static void TanhBackward(Span<float> dinput, ReadOnlySpan<float> output, ReadOnlySpan<float> doutput, bool accumulate)
        => MapGrad(new TanhGrad(), output, doutput, dinput, accumulate);

    // ---- GELU, exact form (PyTorch's default approximate='none'): out = x · Φ(x) = ½x(1 + erf(x/√2)).

    public static void GeluForward(Span<float> output, ReadOnlySpan<float> input) => Map(new Gelu(), input, output);

    /// <summary>dx = dout · (Φ(x) + x · φ(x)), φ the standard normal density.</summary>
    public static void GeluBackward(Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> doutput, bool accumulate)
        => MapGrad(new GeluGrad(), input, doutput, dinput, accumulate);

    /// <summary>The error function, max absolute error about 1.3e-7 (float rounding) over all floats.</summary>
    public static void Erf(Span<float> output, ReadOnlySpan<float> input) => Map(new ErfOp(), input, output);

    // ---- ELU: out = x > 0 ? x : α(eˣ - 1); dx = x > 0 ? dout : dout · α eˣ (from the input, as PyTorch).

    public static void EluForward(Span<float> output, ReadOnlySpan<float> input, float alpha) => Map(new Elu(alpha), input, output);

    public static void EluBackward(Span<float> dinput, ReadOnlySpan<float> input, ReadOnlySpan<float> doutput, float alpha, bool accumulate)
        => MapGrad(new EluGrad(alpha), input, doutput, dinput, accumulate);

    // ---- Dropout (inverted): mask = keep ? 1/(1-p) : 0 with P(keep) = 1 - p; out = x · mask; dx = dout · mask.

    /// <summary>
    /// Draws a fresh mask and applies it. One 64-bit draw from <paramref name="rng"/> keys a counter-based generator
    /// (element i's 32 bits are a keyed hash of i), so the mask is vectorised, split across the workers, and the same
    /// for a seed whatever the thread count.
    /// </summary>
    public static unsafe void DropoutForward(Span<float> output, Span<float> mask, ReadOnlySpan<float> input, float p, Rng rng)
    {
        CheckLengths(input.Length, output.Length, mask.Length);
        ulong key = rng.NextUInt64();
        fixed (float* po = output, pm = mask, px = input)
        {
            var work = new DropoutWork
            {
                Output = po, Mask = pm, Input = px, Length = input.Length, Key0 = (uint)key, Key1 = (uint)(key >> 32),
                // keep when a uniform 32-bit integer is >= p·2³², so P(keep) = 1 - p up to 2⁻³².
                Threshold = (uint)Math.Min(p * 4294967296.0, uint.MaxValue),
                Scale = 1f / (1f - p),
            };
            int blocks = (input.Length + BlockFloats - 1) / BlockFloats;
            if (input.Length < ParallelFloats || Workers.ThreadCount == 1) work.Run(0, blocks);
            else Workers.ForBalanced(blocks, ref work);
        }
    }

    /// <summary>Element i's 32 random bits for a key: two rounds of a 32-bit integer hash (lowbias32), each keyed.</summary>
    internal static uint DropoutBits(uint i, uint key0, uint key1) => Hash32(Hash32(i ^ key0) ^ key1);

    private static uint Hash32(uint h)
    {
        h ^= h >> 16; h *= 0x7feb352du;
        h ^= h >> 15; h *= 0x846ca68bu;
        return h ^ (h >> 16);
    }

    private static Vector512<uint> Hash32(Vector512<uint> h)
    {
        h ^= Vector512.ShiftRightLogical(h, 16); h *= Vector512.Create(0x7feb352du);
        h ^= Vector512.ShiftRightLogical(h, 15); h *= Vector512.Create(0x846ca68bu);
        return h ^ Vector512.ShiftRightLogical(h, 16);
    }

    private unsafe struct DropoutWork : IWorkItem
    {
        public float* Output, Mask, Input;
        public int Length;
        public uint Key0, Key1, Threshold;
        public float Scale;

        // Blocks of BlockFloats elements [start, end).
        public readonly void Run(int start, int end)
        {
            int i = start * BlockFloats, stop = Math.Min(Length, end * BlockFloats);
            if (Vector512.IsHardwareAccelerated)
            {
                var k0 = Vector512.Create(Key0);
                var k1 = Vector512.Create(Key1);
                var threshold = Vector512.Create(Threshold);
                var scale = Vector512.Create(Scale);
                var index = Vector512.Create(0u, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create((uint)i);
                for (; i <= stop - 16; i += 16, index += Vector512.Create(16u))
                {
                    var keep = Vector512.GreaterThanOrEqual(Hash32(Hash32(index ^ k0) ^ k1), threshold).AsSingle();
                    var m = scale & keep;
                    m.Store(Mask + i);
                    (Vector512.Load(Input + i) * m).Store(Output + i);
                }
            }
            for (; i < stop; i++)
            {
                float m = DropoutBits((uint)i, Key0, Key1) >= Threshold ? Scale : 0f;
                Mask[i] = m;
                Output[i] = Input[i] * m;
            }
        }
    }

    public static unsafe void DropoutBackward(Span<float> dinput, ReadOnlySpan<float> mask, ReadOnlySpan<float> doutput, bool accumulate)
    {
        CheckLengths(doutput.Length, dinput.Length, mask.Length);
        if (doutput.Length < ParallelFloats || Workers.ThreadCount == 1)
        {
            MaskGradient(dinput, mask, doutput, accumulate);
            return;
        }
        fixed (float* pdx = dinput, pm = mask, pdy = doutput)
        {
            var work = new MaskGradientWork { Dinput = pdx, Mask = pm, Doutput = pdy, Length = doutput.Length, Accumulate = accumulate };
            Workers.ForBalanced((doutput.Length + BlockFloats - 1) / BlockFloats, ref work);
        }
    }

    private static void MaskGradient(Span<float> dinput, ReadOnlySpan<float> mask, ReadOnlySpan<float> doutput, bool accumulate)
    {
        if (accumulate) TensorPrimitives.MultiplyAdd(doutput, mask, dinput, dinput);
        else TensorPrimitives.Multiply(doutput, mask, dinput);
    }

    private unsafe struct MaskGradientWork : IWorkItem
    {
        public float* Dinput, Mask, Doutput;
        public int Length;
        public bool Accumulate;

        // Blocks of BlockFloats elements [start, end).
        public readonly void Run(int start, int end)
        {
            int from = start * BlockFloats, count = Math.Min(Length, end * BlockFloats) - from;
            MaskGradient(new Span<float>(Dinput + from, count), new ReadOnlySpan<float>(Mask + from, count),
                new ReadOnlySpan<float>(Doutput + from, count), Accumulate);
        }
    }

    // ---- Drivers: one Vector512 loop and a scalar tail per op; the op is a struct so the JIT inlines it.

    private interface IPointwise
    {
        float Invoke(float x);
        Vector512<float> Invoke(Vector512<float> x);
    }

    /// <summary>A gradient rule: dinput from (input or output) and doutput.</summary>
    private interface IPointwiseGrad
    {
        float Invoke(float a, float dy);
        Vector512<float> Invoke(Vector512<float> a, Vector512<float> dy);
    }

    private static void CheckLengths(int n, int b, int c)
    {
        if (b != n || c != n) throw new ArgumentException($"Activation kernels need spans of equal length, got {n}, {b} and {c}.");
    }

    private static void Map<TOp>(TOp op, ReadOnlySpan<float> input, Span<float> output) where TOp : struct, IPointwise
    {
        CheckLengths(input.Length, output.Length, output.Length);
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        int n = input.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                op.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref y, i) = op.Invoke(Unsafe.Add(ref x, i));
    }

    private static void MapGrad<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> doutput, Span<float> dinput, bool accumulate)
        where TOp : struct, IPointwiseGrad
    {
        CheckLengths(a.Length, doutput.Length, dinput.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float dy = ref MemoryMarshal.GetReference(doutput);
        ref float dx = ref MemoryMarshal.GetReference(dinput);
        int n = a.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = op.Invoke(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref dy, (nuint)i));
                if (accumulate) g += Vector512.LoadUnsafe(ref dx, (nuint)i);
                g.StoreUnsafe(ref dx, (nuint)i);
            }
        for (; i < n; i++)
        {
            float g = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref dy, i));
            Unsafe.Add(ref dx, i) = accumulate ? Unsafe.Add(ref dx, i) + g : g;
        }
    }

    // ---- Ops.

    private readonly struct ReluGrad : IPointwiseGrad
    {
        public float Invoke(float x, float dy) => x > 0 ? dy : 0f;
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy) => dy & Vector512.GreaterThan(x, Vector512<float>.Zero);
    }

    private readonly struct LeakyRelu(float slope) : IPointwise
    {
        public float Invoke(float x) => x > 0 ? x : x * slope;
        public Vector512<float> Invoke(Vector512<float> x)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, x * slope);
    }

    private readonly struct LeakyReluGrad(float slope) : IPointwiseGrad
    {
        public float Invoke(float x, float dy) => x > 0 ? dy : dy * slope;
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * slope);
    }

    private readonly struct SigmoidGrad : IPointwiseGrad
    {
        public float Invoke(float y, float dy) => dy * y * (1f - y);
        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
    }

    private readonly struct TanhGrad : IPointwiseGrad
    {
        public float Invoke(float y, float dy) => dy * (1f - y * y);
        public Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
    }

    private const float Sqrt1Over2 = 0.707106781f;
    private const float InvSqrt2Pi = 0.398942280f;

    private readonly struct Gelu : IPointwise
    {
        public float Invoke(float x) => 0.5f * x * (1f + ErfScalar(x * Sqrt1Over2));
        public Vector512<float> Invoke(Vector512<float> x)
            => Vector512.Create(0.5f) * x * (Vector512<float>.One + ErfVector(x * Sqrt1Over2));
    }

    private readonly struct GeluGrad : IPointwiseGrad
    {
        public float Invoke(float x, float dy)
            => dy * (0.5f * (1f + ErfScalar(x * Sqrt1Over2)) + x * InvSqrt2Pi * MathF.Exp(-0.5f * x * x));
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
        {
            var cdf = Vector512.Create(0.5f) * (Vector512<float>.One + ErfVector(x * Sqrt1Over2));
            var pdf = Vector512.Create(InvSqrt2Pi) * Vector512.Exp(Vector512.Create(-0.5f) * x * x);
            return dy * Vector512.FusedMultiplyAdd(x, pdf, cdf);
        }
    }

    private readonly struct ErfOp : IPointwise
    {
        public float Invoke(float x) => ErfScalar(x);
        public Vector512<float> Invoke(Vector512<float> x) => ErfVector(x);
    }

    private readonly struct Elu(float alpha) : IPointwise
    {
        // eˣ - 1 in double: exact enough near 0, where float eˣ - 1 would lose every digit.
        public float Invoke(float x) => x > 0 ? x : alpha * (float)(Math.Exp(x) - 1.0);
        public Vector512<float> Invoke(Vector512<float> x)
        {
            var (lo, hi) = Vector512.Widen(x);
            var expm1 = Vector512.Narrow(Vector512.Exp(lo) - Vector512<double>.One, Vector512.Exp(hi) - Vector512<double>.One);
            return Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x, expm1 * alpha);
        }
    }

    private readonly struct EluGrad(float alpha) : IPointwiseGrad
    {
        public float Invoke(float x, float dy) => x > 0 ? dy : dy * alpha * MathF.Exp(x);
        public Vector512<float> Invoke(Vector512<float> x, Vector512<float> dy)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), dy, dy * alpha * Vector512.Exp(x));
    }

    // ---- erf: |x| < 0.9: x·P(x²); else sign(x)·(1 - exp(Q(min(|x|, 4)))) with Q ≈ log erfc.
    // Coefficients: Chebyshev least-squares fits in double (degree 5 in x², degree 8 in |x|), rounded to float;
    // measured max error 1.3e-7 (|x| < 0.9) and 7.6e-8 (beyond), i.e. float rounding.

    private const float ErfSplit = 0.9f;
    private const float A0 = 1.12837911f, A1 = -0.376125544f, A2 = 0.11282409f, A3 = -0.0267874096f, A4 = 0.00502329879f, A5 = -0.000614414166f;
    private const float B0 = 0.000300260319f, B1 = -1.13015509f, B2 = -0.631956279f, B3 = -0.109960742f, B4 = 0.0263550859f,
        B5 = -0.00473693805f, B6 = 0.000592090015f, B7 = -4.55124355e-05f, B8 = 1.61022297e-06f;

    internal static float ErfScalar(float x)
    {
        float ax = MathF.Abs(x);
        if (ax < ErfSplit)
        {
            float s = x * x;
            float p = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(
                MathF.FusedMultiplyAdd(A5, s, A4), s, A3), s, A2), s, A1), s, A0);
            return x * p;
        }
        if (float.IsNaN(x)) return x;
        float t = MathF.Min(ax, 4f);
        float q = B8;
        q = MathF.FusedMultiplyAdd(q, t, B7); q = MathF.FusedMultiplyAdd(q, t, B6); q = MathF.FusedMultiplyAdd(q, t, B5);
        q = MathF.FusedMultiplyAdd(q, t, B4); q = MathF.FusedMultiplyAdd(q, t, B3); q = MathF.FusedMultiplyAdd(q, t, B2);
        q = MathF.FusedMultiplyAdd(q, t, B1); q = MathF.FusedMultiplyAdd(q, t, B0);
        return MathF.CopySign(1f - MathF.Exp(q), x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ErfVector(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var s = x * x;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(A5), s, Vector512.Create(A4));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(A3));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(A2));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(A1));
        p = Vector512.FusedMultiplyAdd(p, s, Vector512.Create(A0));
        var small = x * p;

        var t = Vector512.Min(ax, Vector512.Create(4f));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(B8), t, Vector512.Create(B7));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B6));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B5));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B4));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B3));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B2));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B1));
        q = Vector512.FusedMultiplyAdd(q, t, Vector512.Create(B0));
        // 1 - e^q is in [0, 1): give it x's sign bit.
        var large = (Vector512<float>.One - Vector512.Exp(q)) | (x & Vector512.Create(-0f));
        var result = Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(ErfSplit)), small, large);
        return Vector512.ConditionalSelect(Vector512.Equals(x, x), result, x); // NaN stays NaN
    }
}
