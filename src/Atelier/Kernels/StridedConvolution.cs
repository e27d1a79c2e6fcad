using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// The forward pass of stride-2 convolutions (the residual nets' downsampling 3x3s) without a
/// column matrix: 8 output pixels of a row by 32 output channels stay in 16 zmm registers while the kernel's taps go
/// past, each tap one broadcast of an input value per pixel (the pixels 2 floats apart in a zero-padded copy of the
/// sample) against two vectors of weights packed once per call. Im2col built a [C·kh·kw, OH·OW] matrix per sample
/// from stride-2 gathers and re-packed the weights for a GEMM only OutC rows tall. Each output depends only on its
/// sample, so results do not depend on the thread count.
/// </summary>
internal static unsafe partial class StridedConvolution
{
    /// <summary>
    /// Stride 2 in both directions, output channels in whole blocks of 32, on AVX-512, and a kernel larger than 1x1. A 1x1
    /// projection has C taps: too few sums per output to pay for writing the pixel-major tile back to NCHW and for
    /// padding the whole sample when it reads a quarter of it (2 threads, batch 64, ms, this kernel against one sample a
    /// thread: resnet-small's 16 -> 32 on 28x28 0.72 against 0.35, 32 -> 64 on 14x14 0.48 against 0.31).
    /// </summary>
    public static bool Handles(in ConvGeometry g) =>
        Avx512F.IsSupported && g.Stride == new Size2d(2, 2) && g.OutC % Block == 0 && g.Kernel != new Size2d(1, 1);

    private const int Block = 32, Tile = 8;

    // The last tile of a row computes pixels past its end (discarded): they read at most 2·(Tile - 1) floats past the
    // padded plane's end (the input gradient's 16-pixel tiles, 15).
    private const int Slack = 2 * Tile;

    // output: [N, OutC, OH, OW]; x: [N, C, H, W]; weight: [OutC, C, kh, kw]; bias: [OutC] or empty.
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        in ConvGeometry g, bool relu)
    {
        int k = g.ColumnRows;
        if (x.Length < (long)g.N * g.C * g.H * g.W || output.Length < (long)g.N * g.OutC * g.OutPlane
            || weight.Length < (long)g.OutC * k || (!bias.IsEmpty && bias.Length < g.OutC))
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        var (packed, taps) = CallerScratch.For(g.OutC * k, k);
        Pack(packed, weight, g.OutC, k);
        TapOffsets(taps, g);
        // Few samples: each also splits into bands of output rows, so both threads work on one image.
        int bands = Math.Clamp((2 * Workers.ThreadCount + g.N - 1) / g.N, 1, g.OH);
        fixed (float* po = output, px = x, pw = packed, pb = bias)
        fixed (int* pt = taps)
        {
            var work = new Work
            {
                Output = po, X = px, Weights = pw, Bias = bias.IsEmpty ? null : pb, Taps = pt, G = g, Relu = relu, Bands = bands,
            };
            Workers.ForBalanced(g.N * bands, ref work);
        }
    }

    // packed[(b·K + t)·32 + j] = weight[(32·b + j)·K + t]: a block's 32 weights of one tap are one cache line pair.
    // Forward has checked both lengths.
    private static void Pack(Span<float> packed, ReadOnlySpan<float> weight, int outC, int k)
    {
        fixed (float* pw = weight, pp = packed)
            for (int b = 0; b < outC / Block; b++)
                for (int j = 0; j < Block; j++) CopyToStrided(pp + (nint)b * k * Block + j, pw + (nint)(b * Block + j) * k, Block, k);
    }

    // to[j·stride] = from[j] for j < count, and to[j] = from[j·stride]: the packings' inner loops, without bounds
    // checks. A layer's weights are packed once per call: for 64 -> 128 channels that took longer than a single
    // image's pass with bounds-checked spans.
    private static void CopyToStrided(float* to, float* from, int stride, int count)
    {
        for (int j = 0; j < count; j++) to[(nint)j * stride] = from[j];
    }

    private static void CopyFromStrided(float* to, float* from, int stride, int count)
    {
        for (int j = 0; j < count; j++) to[j] = from[(nint)j * stride];
    }

    // taps[(c·kh + ky)·kw + kx]: where that tap of pixel (0, 0) lies in the padded sample ([C, H + 2ph, W + 2pw]).
    private static void TapOffsets(Span<int> taps, in ConvGeometry g)
    {
        int wp = g.W + 2 * g.Padding.Width, plane = (g.H + 2 * g.Padding.Height) * wp, t = 0;
        for (int c = 0; c < g.C; c++)
            for (int ky = 0; ky < g.Kernel.Height; ky++)
                for (int kx = 0; kx < g.Kernel.Width; kx++)
                    taps[t++] = c * plane + ky * wp + kx;
    }

    private struct Work : IWorkItem
    {
        public float* Output, X, Weights, Bias;
        public int* Taps;
        public ConvGeometry G;
        public bool Relu;
        public int Bands;

        public readonly void Run(int start, int end)
        {
            var g = G;
            int wp = g.W + 2 * g.Padding.Width, hp = g.H + 2 * g.Padding.Height, inSample = g.C * g.H * g.W, k = g.ColumnRows;
            var padded = WorkerScratch.Padded(g.C * hp * wp + Slack);
            float* tile = stackalloc float[Tile * Block];
            fixed (float* pp = padded)
            {
                int paddedSample = -1;
                for (int item = start; item < end; item++)
                {
                    int n = item / Bands, band = item % Bands;
                    if (n != paddedSample) Pad(pp, X + (nint)n * inSample, g, wp, hp);
                    paddedSample = n;
                    int oh = g.OH, ow = g.OW, plane = oh * ow, blocks = g.OutC / Block;
                    float* output = Output + (nint)n * g.OutC * plane;
                    for (int oy = band * oh / Bands; oy < (band + 1) * oh / Bands; oy++)
                        for (int ox = 0; ox < ow; ox += Tile)
                        {
                            float* from = pp + 2 * oy * wp + 2 * ox;
                            int pixels = Math.Min(Tile, ow - ox);
                            for (int b = 0; b < blocks; b++)
                            {
                                TileSums<Two>(from, Taps, k, Weights + (nint)b * k * Block, tile, Bias == null ? null : Bias + b * Block, Relu);
                                Scatter(tile, output + (nint)b * Block * plane + oy * ow + ox, plane, pixels);
                            }
                        }
                }
            }
        }
    }

    // The sample with its zero border, channel by channel.
    private static void Pad(float* padded, float* x, in ConvGeometry g, int wp, int hp) =>
        WithMargins(padded, x, g.C, g.H, g.W, g.Padding.Height, g.Padding.Width, wp, hp * wp);

    // planes [channels, rows, columns] of source inside zeros: row y of a plane at padded[c·plane + (top + y)·width +
    // left], and Slack zeros past the last plane.
    private static void WithMargins(float* padded, float* source, int channels, int rows, int columns, int top, int left, int width, int plane)
    {
        new Span<float>(padded, channels * plane + Slack).Clear();
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < rows; y++)
                new ReadOnlySpan<float>(source + (c * rows + y) * columns, columns)
                    .CopyTo(new Span<float>(padded + c * plane + (top + y) * width + left, columns));
    }

    // The distance between neighbouring pixels' inputs: a constant, so the eight broadcasts take fixed offsets.
    private interface IStep
    {
        static abstract int Value { get; }
    }

    private struct Two : IStep
    {
        public static int Value => 2;
    }

    private struct One : IStep
    {
        public static int Value => 1;
    }

    // tile[r·32 + j] = bias[j] + Σ_t weights[t·32 + j]·from[taps[t] + r·step] for 8 pixels r (then max(·, 0) with relu).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileSums<TStep>(float* from, int* taps, int k, float* weights, float* tile, float* bias, bool relu)
        where TStep : struct, IStep
    {
        int s = TStep.Value;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        for (int t = 0; t < k; t++)
        {
            float* p = from + taps[t];
            var w0 = Vector512.Load(weights);
            var w1 = Vector512.Load(weights + 16);
            weights += Block;
            var v = Vector512.Create(p[0]);
            a0 = Avx512F.FusedMultiplyAdd(w0, v, a0); b0 = Avx512F.FusedMultiplyAdd(w1, v, b0);
            v = Vector512.Create(p[1 * s]);
            a1 = Avx512F.FusedMultiplyAdd(w0, v, a1); b1 = Avx512F.FusedMultiplyAdd(w1, v, b1);
            v = Vector512.Create(p[2 * s]);
            a2 = Avx512F.FusedMultiplyAdd(w0, v, a2); b2 = Avx512F.FusedMultiplyAdd(w1, v, b2);
            v = Vector512.Create(p[3 * s]);
            a3 = Avx512F.FusedMultiplyAdd(w0, v, a3); b3 = Avx512F.FusedMultiplyAdd(w1, v, b3);
            v = Vector512.Create(p[4 * s]);
            a4 = Avx512F.FusedMultiplyAdd(w0, v, a4); b4 = Avx512F.FusedMultiplyAdd(w1, v, b4);
            v = Vector512.Create(p[5 * s]);
            a5 = Avx512F.FusedMultiplyAdd(w0, v, a5); b5 = Avx512F.FusedMultiplyAdd(w1, v, b5);
            v = Vector512.Create(p[6 * s]);
            a6 = Avx512F.FusedMultiplyAdd(w0, v, a6); b6 = Avx512F.FusedMultiplyAdd(w1, v, b6);
            v = Vector512.Create(p[7 * s]);
            a7 = Avx512F.FusedMultiplyAdd(w0, v, a7); b7 = Avx512F.FusedMultiplyAdd(w1, v, b7);
        }
        var lo = bias == null ? default : Vector512.Load(bias);
        var hi = bias == null ? default : Vector512.Load(bias + 16);
        Store(tile, 0, a0 + lo, b0 + hi, relu);
        Store(tile, 1, a1 + lo, b1 + hi, relu);
        Store(tile, 2, a2 + lo, b2 + hi, relu);
        Store(tile, 3, a3 + lo, b3 + hi, relu);
        Store(tile, 4, a4 + lo, b4 + hi, relu);
        Store(tile, 5, a5 + lo, b5 + hi, relu);
        Store(tile, 6, a6 + lo, b6 + hi, relu);
        Store(tile, 7, a7 + lo, b7 + hi, relu);
    }

    // tile[r·16 + j] = Σ_t weights[t·16 + j]·from[taps[t] + r·step] for 16 pixels r: the same sums for a block of 16
    // channels (the input gradient of a 16-channel input), with twice the pixels to keep 16 vectors of sums busy.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileSums16<TStep>(float* from, int* taps, int k, float* weights, float* tile) where TStep : struct, IStep
    {
        int s = TStep.Value;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
        for (int t = 0; t < k; t++)
        {
            float* p = from + taps[t];
            var w = Vector512.Load(weights);
            weights += 16;
            a0 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[0]), a0);
            a1 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[1 * s]), a1);
            a2 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[2 * s]), a2);
            a3 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[3 * s]), a3);
            a4 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[4 * s]), a4);
            a5 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[5 * s]), a5);
            a6 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[6 * s]), a6);
            a7 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[7 * s]), a7);
            a8 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[8 * s]), a8);
            a9 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[9 * s]), a9);
            a10 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[10 * s]), a10);
            a11 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[11 * s]), a11);
            a12 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[12 * s]), a12);
            a13 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[13 * s]), a13);
            a14 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[14 * s]), a14);
            a15 = Avx512F.FusedMultiplyAdd(w, Vector512.Create(p[15 * s]), a15);
        }
        a0.Store(tile); a1.Store(tile + 16); a2.Store(tile + 32); a3.Store(tile + 48);
        a4.Store(tile + 64); a5.Store(tile + 80); a6.Store(tile + 96); a7.Store(tile + 112);
        a8.Store(tile + 128); a9.Store(tile + 144); a10.Store(tile + 160); a11.Store(tile + 176);
        a12.Store(tile + 192); a13.Store(tile + 208); a14.Store(tile + 224); a15.Store(tile + 240);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* tile, int r, Vector512<float> lo, Vector512<float> hi, bool relu)
    {
        if (relu)
        {
            lo = Vector512.Max(lo, Vector512<float>.Zero);
            hi = Vector512.Max(hi, Vector512<float>.Zero);
        }
        lo.Store(tile + r * Block);
        hi.Store(tile + r * Block + 16);
    }

    // output[j·plane + r] = tile[r·32 + j] for the tile's first `pixels` pixels: pixel-major sums into NCHW.
    private static void Scatter(float* tile, float* output, int plane, int pixels)
    {
        for (int j = 0; j < Block; j++)
        {
            float* row = output + (nint)j * plane;
            for (int r = 0; r < pixels; r++) row[r] = tile[r * Block + j];
        }
    }

    /// <summary>The calling thread's packed weights and tap offsets: grown on demand, then reused.</summary>
    private static class CallerScratch
    {
        [ThreadStatic] private static float[]? weights;
        [ThreadStatic] private static int[]? taps;

        public static (float[] Weights, int[] Taps) For(int floats, int k)
        {
            if (weights is null || weights.Length < floats) weights = GC.AllocateUninitializedArray<float>(floats);
            if (taps is null || taps.Length < k) taps = new int[k];
            return (weights, taps);
        }
    }

    /// <summary>A worker's padded copy of one sample: grown on demand, then reused.</summary>
    private static class WorkerScratch
    {
        [ThreadStatic] private static float[]? padded;

        public static float[] Padded(int floats)
        {
            if (padded is null || padded.Length < floats) padded = GC.AllocateUninitializedArray<float>(floats);
            return padded;
        }
    }
}
