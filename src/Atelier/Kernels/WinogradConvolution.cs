using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// 3x3 stride-1 convolution by Winograd's F(2x2, 3x3) (Lavin and Gray), or F(4x4, 3x3) on small maps (see
/// <see cref="TileFor"/> and WinogradLargeTiles). In F(2x2, 3x3) each 2x2 output tile costs 16 multiply-adds per
/// channel pair instead of 36. Per 4x4 input tile d and filter g:
/// V = Bᵀ d B, U = G g Gᵀ, Y = Aᵀ [Σ_c U ⊙ V] A, the channel sums being 16 GEMMs (one per tile position ξ).
/// The input gradient is the same computation on the output gradient with the filters flipped and transposed.
/// Work is cut into chunks of tile rows, each transformed, multiplied and written back by one thread with its
/// cache-sized scratch; every output value comes from one chunk in a fixed order, so results do not depend on
/// the thread count. Rounding differs from the direct sum by a few float ulps.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    [ThreadStatic] private static bool disabled;

    /// <summary>
    /// Off switch for comparisons and tests (the im2col path then handles every geometry). Per thread, as LargeTiles: the
    /// thread that calls a convolution picks its kernel, so a test that flips it does not change what parallel tests see.
    /// </summary>
    public static bool Enabled { get => !disabled; set => disabled = !value; }

    /// <summary>Whether rows of at most 8 tiles share vectors (<see cref="RowGroup"/>); off for A/B timing and the same-bits test.</summary>
    internal static bool GroupSmallRows { get; set; } = true;

    /// <summary>
    /// Whether the forward pass goes through Winograd: 3x3, stride 1, padding ≤ 1, enough channels to pay for the
    /// transforms, and enough tiles in the batch: 32 when the filters are transformed in the call, 16 when they were
    /// prepared once (a frozen layer). Below, im2col wins: one 7x7 image of 128 channels (16 tiles) took 0.30 ms here
    /// against im2col's 0.17 ms when the filters were transformed each call, but 0.10 ms with prepared filters; one
    /// 3x3 image of 256 channels (4 tiles) took 0.40 ms with prepared filters against 0.34 (1 thread, `bench -- conv --frozen`).
    /// </summary>
    public static bool Handles(in ConvGeometry g, bool prepared = false) =>
        Enabled && Avx512F.IsSupported && g.Kernel == new Size2d(3, 3) && g.Stride == new Size2d(1, 1)
        && g.Padding.Height <= 1 && g.Padding.Width <= 1 && g.C >= 16 && g.OutC >= 16 && g.C <= 2048 && g.OutC <= 2048
        && g.OH >= 1 && g.OW >= 1 && (long)g.N * ((g.OH + 1) / 2) * ((g.OW + 1) / 2) >= (prepared ? 16 : 32);

    /// <summary>
    /// Whether the gradients go through Winograd too: from 32 channels on both sides (1 thread, batch 64, backward by
    /// im2col / Winograd: 32 -> 64 on 14x14 6.6 / 5.3 ms; 128 -> 128 on 28x28 165 / 104 ms). Below, the transforms
    /// cost more than the multiply-adds they save.
    /// </summary>
    public static bool HandlesBackward(in ConvGeometry g) => Handles(g) && Math.Min(g.C, g.OutC) >= 32;

    /// <summary>
    /// Whether the input gradient alone goes through Winograd: wherever the forward pass does. It is the forward
    /// computation with the filters flipped and transposed; below 32 channels the weight gradient goes by
    /// <see cref="ShiftedRowWeightGradient"/>. resnet-small's 16 -> 16 on 28x28, batch 64, input gradient one sample a
    /// thread against Winograd: 2.05 / 1.68 ms on 1 thread, 2.47 / 1.08 ms on 2 (`bench conv`, medians of 15).
    /// </summary>
    public static bool HandlesBackwardData(in ConvGeometry g) => Handles(g);

    // Scratch budget per chunk (transformed inputs and products of all 16 positions): about half an L2.
    private const int ChunkBytes = 512 * 1024;
    private const int Positions = 16;

    // output: [N, OutC, OH, OW]; x: [N, C, H, W]; weight: [OutC, C, 3, 3]; bias: [OutC] or empty;
    // prepared: the weight's filters transformed once (inference), or null to transform them in this call
    // pool: the output is max-pooled 2x2 with stride 2 as it is written (inference, 4x4 tiles only: see PoolsInPlace),
    // output then [N, OutC, OH / 2, OW / 2]
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, in ConvGeometry g,
        bool relu = false, WinogradFilters? prepared = null, bool pool = false)
    {
        if (pool && TileFor(g) != 4) throw new ArgumentException("Winograd pools as it writes only with 4x4 tiles.");
        if (prepared is not null && (prepared.C != g.C || prepared.OutC != g.OutC))
            throw new ArgumentException($"Winograd filters prepared for {prepared.C} -> {prepared.OutC} channels, not {g.C} -> {g.OutC}.");
        if (prepared is not null && prepared.Tile == 4 && TileFor(g) != 4)
            throw new ArgumentException("Winograd filters prepared for 4x4 tiles, which this layer's geometry cannot take.");
        if (output.Length < (long)g.N * g.OutC * (pool ? g.OH / 2 * (g.OW / 2) : g.OutPlane) || x.Length < (long)g.N * g.C * g.H * g.W || weight.Length < g.OutC * g.C * 9)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* po = output, px = x, pw = weight, pb = bias)
            Run(po, accumulate: false, px, pw, flip: false, bias.IsEmpty ? null : pb, g, relu, prepared?.Pointer, prepared?.Tile, pool);
    }

    /// <summary>
    /// Whether the forward pass can max-pool (2x2, stride 2) as it writes: with 4x4 tiles, whose blocks start at even rows
    /// and columns, each holding four whole pooling windows.
    /// </summary>
    public static bool PoolsInPlace(in ConvGeometry g, bool prepared = false) => Handles(g, prepared) && TileFor(g) == 4;

    // dx: [N, C, H, W] (+)= the input gradient for dout: [N, OutC, OH, OW]; weight: [OutC, C, 3, 3]
    public static void BackwardData(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in ConvGeometry g)
    {
        if (dx.Length < (long)g.N * g.C * g.H * g.W || dout.Length < (long)g.N * g.OutC * g.OutPlane || weight.Length < g.OutC * g.C * 9)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        // dx is the correlation of dout with the flipped, transposed filters and padding 2 - p: output H x W.
        var t = new ConvGeometry(g.N, g.OutC, g.OH, g.OW, g.C, 3, 1, (2 - g.Padding.Height, 2 - g.Padding.Width));
        fixed (float* pdx = dx, pdy = dout, pw = weight)
            Run(pdx, accumulate, pdy, pw, flip: true, null, t);
    }

    // dweight: [OutC, C, 3, 3] (+)= Σ over the batch of dout ⋆ x, computed as dU[ξ] = Σ_tiles dM[ξ]·V[ξ]ᵀ with
    // dM = A dY Aᵀ, then dW = Gᵀ dU G. Chunks are summed in fixed groups, then the groups in order: the result
    // does not depend on the thread count. dbias: [OutC] or empty, the channel sums of dout.
    public static void BackwardWeights(Span<float> dweight, bool accumulateDWeight, Span<float> dbias, bool accumulateDBias,
        ReadOnlySpan<float> dout, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        if (dout.Length < (long)g.N * g.OutC * g.OutPlane || x.Length < (long)g.N * g.C * g.H * g.W
            || (!dweight.IsEmpty && dweight.Length < g.OutC * g.C * 9) || (!dbias.IsEmpty && dbias.Length < g.OutC))
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        fixed (float* pdw = dweight, pdb = dbias, pdy = dout, px = x)
        {
            if (!dbias.IsEmpty)
            {
                var sums = new ChannelSumWork { Sums = pdb, Dy = pdy, N = g.N, C = g.OutC, Plane = g.OutPlane, Accumulate = accumulateDBias };
                if (Workers.ThreadCount == 1) sums.Run(0, g.OutC);
                else Workers.ForBalanced(g.OutC, ref sums);
            }
            if (dweight.IsEmpty) return;
            int tile = TileFor(g), positions = PositionsOf(tile);
            int tilesY = (g.OH + tile - 1) / tile, tilesX = (g.OW + tile - 1) / tile, rows = g.N * tilesY;
            // Longer chunks read and write the group's partial sums less often, shorter ones keep the chunk in L2: with
            // many channels the partials (16·OutC·C floats) dominate (measured: 256 -> 256 62 ms at 512 tiles, 67 at 256;
            // 32 -> 64 2.8 ms at 256, 3.2 at 512).
            // But at least WeightGroups chunks, one group each, or one thread does it all: 256 -> 256 on 3x3 maps at batch
            // 128 (512 tiles) was one chunk, and its weight gradient took 12.1 ms on 2 threads against im2col's 9.2.
            int chunkTiles = Math.Max(64, Math.Min(g.C + g.OutC >= 384 ? 512 : 256, rows * tilesX / WeightGroups));
            // 4x4 tiles on maps of two tiles a row or more, unless the partials are small (then long chunks cost little):
            // about 1 MiB of transformed tiles (36 positions each) a chunk, at least 32 tiles. Weight gradient at batch 128,
            // 2 threads, 256 tiles against 32: 14x14 64 -> 128 8.1 / 5.8 ms, 64 -> 64 4.2 / 3.0; 7x7 128 -> 256 7.0 (128
            // tiles) / 6.1; but 28x28 32 -> 64 (295 KiB of partials) 9.1 against 9.6 at 64 tiles.
            if (tile == 4 && tilesX >= 2 && positions * 4L * g.OutC * g.C >= 512 * 1024)
                chunkTiles = (int)Math.Max(32, (1 << 20) / (positions * 4L * (g.C + g.OutC)));
            int rowsPerChunk = RowsPerChunk(rows, tilesX, positions * 4L * (g.C + g.OutC), chunkTiles, tile, threads: 1);
            int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk, groups = Math.Min(WeightGroups, chunks);
            // Partials as [ξ][OutC rounded up to 8][C rounded up to 32]: whole 8x32 register tiles, the padding unused.
            int rowsPadded = (g.OutC + 7) / 8 * 8, colsPadded = (g.C + 31) / 32 * 32;
            long partialFloats = (long)positions * rowsPadded * colsPadded;
            var callerScratch = WinogradScratch.ForThisThread();
            callerScratch.ReservePartials(checked((int)(groups * partialFloats)));
            var work = new WeightWork
            {
                Partials = callerScratch.Partials, PartialFloats = partialFloats, RowsPadded = rowsPadded, ColsPadded = colsPadded, Dy = pdy, X = px, G = g,
                TilesY = tilesY, TilesX = tilesX, Rows = rows, RowsPerChunk = rowsPerChunk, Chunks = chunks, Groups = groups, Tile = tile,
            };
            if (Workers.ThreadCount == 1) work.Run(0, groups);
            else Workers.ForBalanced(groups, ref work);
            TransformWeightGradient(pdw, accumulateDWeight, callerScratch.Partials, groups, partialFloats, colsPadded, (nint)rowsPadded * colsPadded, g, tile);
        }
    }

    // Partial sums of the weight gradient: this many fixed groups of chunks (memory: groups × 16·OutC·C floats).
    private const int WeightGroups = 4;

    // dW[o][c] (+)= Gᵀ (Σ_groups dU[ξ][o][c]) G, output channels split across the workers: on 3x3 and 7x7 maps with
    // 256 channels this pass over the partials took a quarter of the weight gradient on one thread.
    private static void TransformWeightGradient(float* dw, bool accumulate, float* partials, int groups, long partialFloats,
        int rowStride, nint position, in ConvGeometry g, int tile)
    {
        var work = new WeightGradientTransform
        {
            Dw = dw, Accumulate = accumulate, Partials = partials, Groups = groups, PartialFloats = partialFloats,
            RowStride = rowStride, Position = position, C = g.C, Tile = tile,
        };
        if (TransformsInline(g)) work.Run(0, g.OutC);
        else Workers.ForBalanced(g.OutC, ref work);
    }

    private partial struct WeightGradientTransform : IWorkItem
    {
        public float* Dw, Partials;
        public bool Accumulate;
        public int Groups, RowStride, C, Tile;
        public long PartialFloats;
        public nint Position;

        public readonly void Run(int start, int end)
        {
            if (Tile == 4)
            {
                RunLarge(start, end);
                return;
            }
            float* u = stackalloc float[16];
            float* r = stackalloc float[12];
            for (int o = start; o < end; o++)
                for (int ch = 0; ch < C; ch++)
                {
                    nint at = (nint)o * RowStride + ch;
                    for (int xi = 0; xi < Positions; xi++)
                    {
                        float sum = 0;
                        for (int k = 0; k < Groups; k++) sum += Partials[k * PartialFloats + xi * Position + at];
                        u[xi] = sum;
                    }
                    // Gᵀ along rows: a0 = u0 + (u1 + u2)/2, a1 = (u1 - u2)/2, a2 = (u1 + u2)/2 + u3; then along columns.
                    for (int j = 0; j < 4; j++)
                    {
                        float u0 = u[j], u1 = u[4 + j], u2 = u[8 + j], u3 = u[12 + j];
                        r[j] = u0 + 0.5f * (u1 + u2);
                        r[4 + j] = 0.5f * (u1 - u2);
                        r[8 + j] = 0.5f * (u1 + u2) + u3;
                    }
                    float* dst = Dw + ((nint)o * C + ch) * 9;
                    for (int a = 0; a < 3; a++)
                    {
                        float v0 = r[a * 4], v1 = r[a * 4 + 1], v2 = r[a * 4 + 2], v3 = r[a * 4 + 3];
                        float w0 = v0 + 0.5f * (v1 + v2), w1 = 0.5f * (v1 - v2), w2 = 0.5f * (v1 + v2) + v3;
                        if (Accumulate) { dst[a * 3] += w0; dst[a * 3 + 1] += w1; dst[a * 3 + 2] += w2; }
                        else { dst[a * 3] = w0; dst[a * 3 + 1] = w1; dst[a * 3 + 2] = w2; }
                    }
                }
        }
    }

    private struct ChannelSumWork : IWorkItem
    {
        public float* Sums, Dy;
        public int N, C, Plane;
        public bool Accumulate;

        public readonly void Run(int start, int end)
        {
            for (int o = start; o < end; o++)
            {
                float sum = 0;
                for (int n = 0; n < N; n++)
                    sum += System.Numerics.Tensors.TensorPrimitives.Sum(new ReadOnlySpan<float>(Dy + ((nint)n * C + o) * Plane, Plane));
                Sums[o] = Accumulate ? Sums[o] + sum : sum;
            }
        }
    }

    private partial struct WeightWork : IWorkItem
    {
        public float* Partials, Dy, X;
        public long PartialFloats;
        public int RowsPadded, ColsPadded;
        public ConvGeometry G;
        public int TilesY, TilesX, Rows, RowsPerChunk, Chunks, Groups, Tile;

        // Groups [start, end): group k sums chunks [Chunks·k/Groups, Chunks·(k+1)/Groups) into its partial, in order.
        public readonly void Run(int start, int end)
        {
            var g = G;
            var scratch = WinogradScratch.ForThisThread();
            var input = new ChunkWork { X = X, G = g, TilesY = TilesY, TilesX = TilesX, Tile = Tile };
            int positions = PositionsOf(Tile);
            for (int k = start; k < end; k++)
            {
                float* partial = Partials + k * PartialFloats;
                int first = (int)((long)Chunks * k / Groups), last = (int)((long)Chunks * (k + 1) / Groups);
                for (int chunk = first; chunk < last; chunk++)
                {
                    int row0 = chunk * RowsPerChunk, rowCount = Math.Min(RowsPerChunk, Rows - row0), tiles = rowCount * TilesX;
                    scratch.Reserve(positions * g.C * tiles + 16, ColsPadded * tiles, positions * g.OutC * tiles + 16);
                    scratch.ReservePackedA(RowsPadded * tiles);
                    // Layouts [c][ξ][t] and [o][ξ][t], as in the forward pass.
                    nint stride = positions * (nint)tiles;
                    input.TransformInput(scratch.V, stride, tiles, row0, rowCount);
                    if (Tile == 4) TransformOutputGradientLarge(scratch.M, tiles, row0, rowCount);
                    else TransformOutputGradient(scratch.M, tiles, row0, rowCount);
                    for (int xi = 0; xi < positions; xi++)
                    {
                        // dU[ξ][OutC, C] (+)= dM[ξ][OutC, tiles] · V[ξ][C, tiles]ᵀ, packed straight from the transforms' layout.
                        GemmPacking.PackA(scratch.M + (nint)xi * tiles, stride, 1, 0, g.OutC, 0, tiles, GemmMicroKernels.Mr512, scratch.PackedA);
                        GemmPacking.PackB(scratch.V + (nint)xi * tiles, 1, stride, 0, tiles, 0, g.C, GemmMicroKernels.Nr512, scratch.PackedB);
                        float* du = partial + (nint)xi * RowsPadded * ColsPadded;
                        for (int op = 0; op < RowsPadded / 8; op++)
                            for (int jp = 0; jp < ColsPadded / 32; jp++)
                                GemmMicroKernels.Tile8x32(tiles, scratch.PackedA + (nint)op * 8 * tiles, scratch.PackedB + (nint)jp * 32 * tiles,
                                    du + (nint)op * 8 * ColsPadded + jp * 32, ColsPadded, add: chunk > first);
                    }
                }
            }
        }

        // dM[ξ][o][t] = (A dY Aᵀ)[ξ] for the chunk's tiles t: dY's 2x2 tile (zero past the output's edge) spread over 4x4.
        private readonly void TransformOutputGradient(float* m, int ld, int row0, int rowCount)
        {
            if (TilesX <= 8 && GroupSmallRows)
            {
                TransformOutputGradientGrouped(m, ld, row0, rowCount);
                return;
            }
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW;
            nint positionStride = ld;
            for (int rr = 0; rr < rowCount; rr++)
            {
                int n = (row0 + rr) / TilesY, ty = (row0 + rr) % TilesY;
                for (int tx0 = 0; tx0 < TilesX; tx0 += 16)
                {
                    int count = Math.Min(16, TilesX - tx0), t0 = rr * TilesX + tx0, col0 = 2 * tx0;
                    var lo = Inside(col0, ow);
                    var hi = Inside(col0 + 16, ow);
                    var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                    bool secondRow = 2 * ty + 1 < oh;
                    for (int o = 0; o < oc; o++)
                    {
                        float* src = Dy + (((nint)n * oc + o) * oh + 2 * ty) * ow + col0;
                        var a = Avx512F.MaskLoad(src, lo, Vector512<float>.Zero);
                        var b = Avx512F.MaskLoad(src + 16, hi, Vector512<float>.Zero);
                        var y00 = Avx512F.PermuteVar16x32x2(a, EvenLanes, b);
                        var y01 = Avx512F.PermuteVar16x32x2(a, OddLanes, b);
                        Vector512<float> y10 = default, y11 = default;
                        if (secondRow)
                        {
                            a = Avx512F.MaskLoad(src + ow, lo, Vector512<float>.Zero);
                            b = Avx512F.MaskLoad(src + ow + 16, hi, Vector512<float>.Zero);
                            y10 = Avx512F.PermuteVar16x32x2(a, EvenLanes, b);
                            y11 = Avx512F.PermuteVar16x32x2(a, OddLanes, b);
                        }
                        // A along rows: p0 = y0, p1 = y0 + y1, p2 = y0 - y1, p3 = -y1; then along columns.
                        float* dst = m + (nint)o * Positions * ld + t0;
                        StoreRow(dst, positionStride, 0, store, y00, y01);
                        StoreRow(dst, positionStride, 1, store, y00 + y10, y01 + y11);
                        StoreRow(dst, positionStride, 2, store, y00 - y10, y01 - y11);
                        StoreRow(dst, positionStride, 3, store, -y10, -y11);
                    }
                }
            }
        }

        // Row i of dM = (A dY) Aᵀ from p = (p0, p1): p0, p0 + p1, p0 - p1, -p1 at positions 4i .. 4i + 3.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRow(float* dst, nint positionStride, int i, Vector512<float> store, Vector512<float> p0, Vector512<float> p1)
        {
            float* p = dst + 4 * i * positionStride;
            Avx512F.MaskStore(p, store, p0);
            Avx512F.MaskStore(p + positionStride, store, p0 + p1);
            Avx512F.MaskStore(p + 2 * positionStride, store, p0 - p1);
            Avx512F.MaskStore(p + 3 * positionStride, store, -p1);
        }
    }

    private static void Run(float* output, bool accumulate, float* x, float* weight, bool flip, float* bias, in ConvGeometry g, bool relu = false,
        float* prepared = null, int? preparedTile = null, bool pool = false)
    {
        int ocPanels = (g.OutC + 7) / 8, tile = preparedTile ?? TileFor(g), positions = PositionsOf(tile);
        int tilesY = (g.OH + tile - 1) / tile, tilesX = (g.OW + tile - 1) / tile;
        float* filters = prepared;
        if (filters is null)
        {
            var callerScratch = WinogradScratch.ForThisThread();
            callerScratch.ReserveFilters(FilterFloats(g.C, g.OutC, tile));
            TransformFilters(callerScratch.Filters, weight, flip, g, ocPanels, tile);
            filters = callerScratch.Filters;
        }

        int rows = g.N * tilesY;
        int rowsPerChunk = RowsPerChunk(rows, tilesX, positions * 4L * (g.C + ocPanels * 8), MinTiles, tile, Workers.ThreadCount);
        int chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        // Fewer chunks than threads (one image's maps, or a batch of 3x3 maps): each chunk's output channels are split
        // too, each part transforming the chunk's input itself unless 4x4 tiles share it (below). 1 image, 2 threads,
        // 14x14 64 -> 128: one thread did all of it.
        int threads = Workers.ThreadCount;
        int parts = chunks < threads ? Math.Clamp(threads / chunks, 1, ocPanels / 2) : 1;
        var work = new ChunkWork
        {
            Output = output, X = x, Filters = filters, Bias = bias, G = g, Accumulate = accumulate, Relu = relu, Pool = pool,
            OcPanels = ocPanels, TilesY = tilesY, TilesX = tilesX, Rows = rows, RowsPerChunk = rowsPerChunk, Tile = tile, OcParts = parts,
        };
        if (chunks == 1 && tile == 4)
        {
            // One chunk (one image's maps, or 128 images' 3x3 maps): its input is transformed once, the threads taking
            // a share of the channels each, into V in panel order ([ξ][c][t]), which the GEMMs then read where it lies.
            // With each thread transforming and packing the whole input for its output channels, 64 -> 64 on 14x14 ran
            // no faster on 2 threads than on 1.
            int ld = (rows * tilesX + 31) / 32 * 32;
            var callerScratch = WinogradScratch.ForThisThread();
            callerScratch.Reserve(positions * g.C * ld, 0, 0);
            work.SharedV = callerScratch.V;
            var input = new SharedInputTransform { Work = work, Ld = ld };
            if (threads == 1) input.Run(0, g.C);
            else Workers.For(g.C, ref input);
        }
        int items = chunks * parts;
        if (items == 1 || threads == 1) work.Run(0, items);
        else if (parts > 1) Workers.For(items, ref work);
        else Workers.ForBalanced(items, ref work);
    }

    // Tile rows per chunk: about ChunkBytes of scratch (at least MinTiles tiles, so each GEMM has some width), with
    // the tile count close to a multiple of the 32-tile panels (a partial panel is multiplied in full), and the chunks
    // shared evenly by the threads that claim them (threads: 1 where chunks are not the unit of work). Without the
    // last term, 256 -> 256 on 3x3 maps at batch 128 took chunks of 96 and 32 tiles: one thread did three quarters.
    private static int RowsPerChunk(int rows, int tilesX, long bytesPerTile, int minTiles, int tile, int threads)
    {
        long target = Math.Max(ChunkBytes / bytesPerTile, minTiles);
        int ideal = (int)Math.Clamp(target / tilesX, 1, rows);
        int best = ideal;
        double bestCost = double.MaxValue;
        // Rows of at most 8 tiles share vectors in groups (WinogradSmallMaps): a chunk of whole groups leaves no half-empty vector.
        int group = tile == 4 ? Math.Max(1, TileRowsPerVector(tilesX)) : tilesX > 8 || !GroupSmallRows ? 1 : tilesX > 4 ? 2 : 4;
        for (int r = Math.Max(1, ideal / 2); r <= Math.Min(rows, 2 * ideal); r++)
        {
            if (r % group != 0 && r != rows) continue;
            int tiles = r * tilesX, chunks = (rows + r - 1) / r;
            double waste = (double)((tiles + 31) / 32 * 32 - tiles) / tiles;
            // Fewer chunks than threads split their output channels instead (OcParts).
            double idle = chunks < threads ? 0 : 1 - (double)rows / (threads * BusiestRows(rows, r, threads));
            double cost = waste + idle + 0.02 * Math.Abs(Math.Log((double)r / ideal));
            if (cost < bestCost) (best, bestCost) = (r, cost);
        }
        return best;
    }

    // Rows of the busiest thread when the threads claim the chunks in order: full chunks of r rows, the last one partial.
    private static long BusiestRows(int rows, int r, int threads)
    {
        int chunks = (rows + r - 1) / r, rounds = (chunks + threads - 1) / threads, last = rows - (chunks - 1) * r;
        return threads == 1 || chunks % threads == 1 ? (long)(rounds - 1) * r + last : (long)rounds * r;
    }

    private const int MinTiles = 96;

    private static int FilterFloats(int c, int outC, int tile) => PositionsOf(tile) * ((outC + 7) / 8) * 8 * c;

    // Transformed positions per tile: 16 for F(2x2, 3x3), 36 for F(4x4, 3x3).
    private static int PositionsOf(int tile) => tile == 4 ? LargePositions : Positions;

    /// <summary>
    /// Transforms <paramref name="weight"/> [OutC, C, 3, 3] once, for a layer whose weights no longer change, for the
    /// tile size <paramref name="tile"/> (2 or 4, <see cref="TileFor"/> of the layer's geometry).
    /// </summary>
    public static WinogradFilters Prepare(ReadOnlySpan<float> weight, int c, int outC, int tile)
    {
        if (tile is not (2 or 4)) throw new ArgumentOutOfRangeException(nameof(tile), tile, "Winograd tiles are 2x2 or 4x4.");
        var prepared = new WinogradFilters(c, outC, tile, FilterFloats(c, outC, tile));
        var g = new ConvGeometry(1, c, 3, 3, outC, 3, 1, 1);
        fixed (float* pw = weight)
            TransformFilters(prepared.Pointer, pw, flip: false, g, (outC + 7) / 8, tile);
        return prepared;
    }

    // U[ξ][panel][c][r] = (G g Gᵀ)[ξ] for output channel panel·8 + r (zero past OutC): the GEMMs' packed A operand.
    // Panels are split across the workers: 256 -> 256 channels took 1-2 ms on one thread, a third of the forward on 3x3 maps.
    private static void TransformFilters(float* u, float* weight, bool flip, in ConvGeometry g, int ocPanels, int tile)
    {
        var work = new FilterTransform { U = u, Weight = weight, Flip = flip, C = g.C, OutC = g.OutC, OcPanels = ocPanels, Tile = tile };
        if (TransformsInline(g)) work.Run(0, ocPanels);
        else Workers.ForBalanced(ocPanels, ref work);
    }

    // The filter and weight-gradient transforms of fewer channel pairs stay on the calling thread: the hand-off would cost
    // more than the work (each output depends on its own filter only, so the split never changes the bits).
    private static bool TransformsInline(in ConvGeometry g) => Workers.ThreadCount == 1 || (long)g.OutC * g.C < 4096;

    private struct FilterTransform : IWorkItem
    {
        public float* U, Weight;
        public bool Flip;
        public int C, OutC, OcPanels, Tile;

        public readonly void Run(int start, int end)
        {
            for (int panel = start; panel < end; panel++)
                if (Tile == 4) TransformPanelLarge(U, Weight, Flip, C, OutC, OcPanels, panel);
                else TransformPanel(U, Weight, Flip, C, OutC, OcPanels, panel);
        }
    }

    private static void TransformPanel(float* u, float* weight, bool flip, int c, int oc, int ocPanels, int panel)
    {
        nint positionStride = (nint)ocPanels * 8 * c;
        // The 9 taps of the panel's 8 output channels side by side ([tap][r]), so the transform runs on Vector256 and each
        // position's 8 values are one contiguous store (U is written front to back, position by position).
        float* f = stackalloc float[72];
        for (int ch = 0; ch < c; ch++)
        {
            for (int r = 0; r < 8; r++)
            {
                int o = panel * 8 + r;
                for (int t = 0; t < 9; t++)
                {
                    // Flipped and transposed for the input gradient: g[o][ch][i][j] = w[ch][o][2 - i][2 - j].
                    f[t * 8 + r] = o >= oc ? 0 : flip ? weight[(ch * oc + o) * 9 + 8 - t] : weight[(o * c + ch) * 9 + t];
                }
            }
            float* dst = u + ((nint)panel * c + ch) * 8;
            var half = Vector256.Create(0.5f);
            for (int i = 0; i < 4; i++)
            {
                // Row i of G g: g0, (g0 + g1 + g2)/2, (g0 - g1 + g2)/2, g2 over the kernel rows, per kernel column.
                Vector256<float> a, b, e;
                if (i == 0) { a = Vector256.Load(f); b = Vector256.Load(f + 8); e = Vector256.Load(f + 16); }
                else if (i == 3) { a = Vector256.Load(f + 48); b = Vector256.Load(f + 56); e = Vector256.Load(f + 64); }
                else
                {
                    float sign = i == 1 ? 1 : -1;
                    a = half * (Vector256.Load(f) + Vector256.Load(f + 24) * sign + Vector256.Load(f + 48));
                    b = half * (Vector256.Load(f + 8) + Vector256.Load(f + 32) * sign + Vector256.Load(f + 56));
                    e = half * (Vector256.Load(f + 16) + Vector256.Load(f + 40) * sign + Vector256.Load(f + 64));
                }
                // Then along the kernel columns.
                a.Store(dst + (i * 4 + 0) * positionStride);
                (half * (a + b + e)).Store(dst + (i * 4 + 1) * positionStride);
                (half * (a - b + e)).Store(dst + (i * 4 + 2) * positionStride);
                e.Store(dst + (i * 4 + 3) * positionStride);
            }
        }
    }

    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> OddLanes = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    private static readonly Vector512<int> InterleaveLow = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    private static readonly Vector512<int> InterleaveHigh = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);

    // The one chunk's input transform, the channels split across the threads, into V laid out [ξ][c][t] with rows Ld long.
    private struct SharedInputTransform : IWorkItem
    {
        public ChunkWork Work;
        public int Ld;

        public readonly void Run(int start, int end) =>
            Work.TransformInputLarge(Work.SharedV, Ld, (nint)Work.G.C * Ld, 0, Work.Rows, start, end);
    }

    private partial struct ChunkWork : IWorkItem
    {
        public float* Output, X, Filters, Bias;
        public ConvGeometry G;
        public bool Accumulate, Relu, Pool;
        public int OcPanels, TilesY, TilesX, Rows, RowsPerChunk, Tile;

        // Work item i is part i % OcParts of chunk i / OcParts: the output channels [OcStart, OcEnd) of its tiles.
        public int OcParts;
        private int OcStart, OcEnd;

        // The one chunk's V, transformed already ([ξ][c][t], rows a whole number of 32-tile panels long), or null: then
        // each item transforms its chunk into its thread's scratch and packs it for the GEMMs.
        public float* SharedV;

        public readonly void Run(int start, int end)
        {
            var scratch = WinogradScratch.ForThisThread();
            int transformed = -1;
            for (int item = start; item < end; item++)
            {
                int chunk = item / OcParts, part = item % OcParts;
                int row0 = chunk * RowsPerChunk, rowCount = Math.Min(RowsPerChunk, Rows - row0);
                int tiles = rowCount * TilesX, ld = (tiles + 31) / 32 * 32;
                int ocRows = OcPanels * 8, positions = PositionsOf(Tile);
                // A copy with this part's channels: the threads share this struct.
                var own = this;
                own.OcStart = Math.Min(G.OutC, OcPanels * part / OcParts * 8);
                own.OcEnd = Math.Min(G.OutC, OcPanels * (part + 1) / OcParts * 8);
                // Slack of 16 floats: the output transform reads whole vectors from the last row.
                if (SharedV is null) scratch.Reserve(positions * G.C * ld, G.C * ld, positions * ocRows * ld + 16);
                else scratch.Reserve(0, 0, positions * ocRows * ld + 16);
                // Layouts [c][ξ][t] and [o][ξ][t]: a channel's positions are neighbours for the transforms.
                if (chunk != transformed && SharedV is null) own.TransformInput(scratch.V, positions * (nint)ld, ld, row0, rowCount);
                transformed = chunk;
                own.Multiply(scratch, ld, tiles, positions);
                if (Tile == 4) own.TransformOutputLarge(scratch.M, ld, row0, rowCount);
                else own.TransformOutput(scratch.M, ld, row0, rowCount);
            }
        }

        // V[ξ][c][t] = (Bᵀ d B)[ξ] for the chunk's tiles t (tile row by tile row, 16 tiles per vector).
        // V[ξ][c][t] at v + c·channelStride + ξ·positionStride + t (the forward interleaves positions per channel for locality).
        public readonly void TransformInput(float* v, nint channelStride, nint positionStride, int row0, int rowCount)
        {
            if (Tile == 4)
            {
                TransformInputLarge(v, channelStride, positionStride, row0, rowCount, 0, G.C);
                return;
            }
            if (TilesX <= 8 && GroupSmallRows)
            {
                TransformInputGrouped(v, channelStride, positionStride, row0, rowCount);
                return;
            }
            var g = G;
            int c = g.C, h = g.H, w = g.W, ph = g.Padding.Height, pw = g.Padding.Width;
            for (int rr = 0; rr < rowCount; rr++)
            {
                int n = (row0 + rr) / TilesY, ty = (row0 + rr) % TilesY;
                for (int tx0 = 0; tx0 < TilesX; tx0 += 16)
                {
                    int count = Math.Min(16, TilesX - tx0), t0 = rr * TilesX + tx0;
                    // Input columns b0 + e (e < 32) and b0 + 2 + e: their even and odd lanes are the tiles' four columns.
                    int b0 = 2 * tx0 - pw;
                    var lo0 = Inside(b0, w); var hi0 = Inside(b0 + 16, w);
                    var lo2 = Inside(b0 + 2, w); var hi2 = Inside(b0 + 18, w);
                    var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                    int top = 2 * ty - ph;
                    for (int ch = 0; ch < c; ch++)
                    {
                        float* plane = X + ((nint)n * c + ch) * h * w;
                        Load(plane, top, h, w, b0, lo0, hi0, lo2, hi2, out var d00, out var d01, out var d02, out var d03);
                        Load(plane, top + 1, h, w, b0, lo0, hi0, lo2, hi2, out var d10, out var d11, out var d12, out var d13);
                        Load(plane, top + 2, h, w, b0, lo0, hi0, lo2, hi2, out var d20, out var d21, out var d22, out var d23);
                        Load(plane, top + 3, h, w, b0, lo0, hi0, lo2, hi2, out var d30, out var d31, out var d32, out var d33);
                        // Bᵀ along rows: r0 = d0 - d2, r1 = d1 + d2, r2 = d2 - d1, r3 = d1 - d3.
                        var t00 = d00 - d20; var t01 = d01 - d21; var t02 = d02 - d22; var t03 = d03 - d23;
                        var t10 = d10 + d20; var t11 = d11 + d21; var t12 = d12 + d22; var t13 = d13 + d23;
                        var t20 = d20 - d10; var t21 = d21 - d11; var t22 = d22 - d12; var t23 = d23 - d13;
                        var t30 = d10 - d30; var t31 = d11 - d31; var t32 = d12 - d32; var t33 = d13 - d33;
                        float* dst = v + ch * channelStride + t0;
                        StoreRow(dst, positionStride, 0, store, t00, t01, t02, t03);
                        StoreRow(dst, positionStride, 1, store, t10, t11, t12, t13);
                        StoreRow(dst, positionStride, 2, store, t20, t21, t22, t23);
                        StoreRow(dst, positionStride, 3, store, t30, t31, t32, t33);
                    }
                }
            }
        }

        // M[ξ] = U[ξ] · V[ξ] for the 16 positions: packed filters (A), V packed per position into 32-tile panels (B).
        private readonly void Multiply(WinogradScratch scratch, int ld, int tiles, int positions)
        {
            int c = G.C, panels = (tiles + 31) / 32, ocRows = OcPanels * 8;
            for (int xi = 0; xi < positions; xi++)
            {
                // B: the shared V's rows ld apart, panel jp from column 32·jp; or packed here, panel jp 32·c floats on.
                float* packed = SharedV + (nint)xi * c * ld;
                nint ldb = ld, panelStride = 32;
                if (SharedV is null)
                {
                    packed = scratch.PackedB;
                    GemmPacking.PackB(scratch.V + (nint)xi * ld, positions * (nint)ld, 1, 0, c, 0, tiles, GemmMicroKernels.Nr512, packed);
                    (ldb, panelStride) = (GemmMicroKernels.Nr512, 32 * c);
                }
                float* u = Filters + (nint)xi * ocRows * c;
                float* m = scratch.M + (nint)xi * ld;
                nint ldm = positions * (nint)ld;
                for (int op = OcStart / 8; op < (OcEnd + 7) / 8; op++)
                    for (int jp = 0; jp < panels; jp++)
                    {
                        float* a = u + (nint)op * 8 * c, b = packed + jp * panelStride, dst = m + op * 8 * ldm + jp * 32;
                        // A last panel of at most 16 tiles (one 14x14 image has 16): its left half only. Lanes 16-31 of
                        // M stay unwritten; the output transform reads but never stores them.
                        if (tiles - jp * 32 <= 16) GemmMicroKernels.Tile8x16(c, a, b, dst, ldm, false, ldb);
                        else GemmMicroKernels.Tile8x32(c, a, b, dst, ldm, false, ldb);
                    }
            }
        }

        // Output tiles Y = Aᵀ M A (+ bias), interleaved back into image rows.
        private readonly void TransformOutput(float* m, int ld, int row0, int rowCount)
        {
            if (TilesX <= 8 && GroupSmallRows)
            {
                TransformOutputGrouped(m, ld, row0, rowCount);
                return;
            }
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW;
            nint positionStride = ld;
            for (int rr = 0; rr < rowCount; rr++)
            {
                int n = (row0 + rr) / TilesY, ty = (row0 + rr) % TilesY;
                for (int tx0 = 0; tx0 < TilesX; tx0 += 16)
                {
                    int t0 = rr * TilesX + tx0, col0 = 2 * tx0;
                    var colsLo = Vector512.LessThan(LaneIndex + Vector512.Create(col0), Vector512.Create(ow)).AsSingle();
                    var colsHi = Vector512.LessThan(LaneIndex + Vector512.Create(col0 + 16), Vector512.Create(ow)).AsSingle();
                    bool secondRow = 2 * ty + 1 < oh;
                    for (int o = OcStart; o < OcEnd; o++)
                    {
                        float* src = m + (nint)o * Positions * ld + t0;
                        var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                        OutputTiles(src, positionStride, false, default, b, Relu, out var y00, out var y01, out var y10, out var y11);
                        float* dst = Output + (((nint)n * oc + o) * oh + 2 * ty) * ow + col0;
                        StoreInterleaved(dst, y00, y01, colsLo, colsHi, Accumulate);
                        if (secondRow) StoreInterleaved(dst + ow, y10, y11, colsLo, colsHi, Accumulate);
                    }
                }
            }
        }
    }

    // Y = Aᵀ M A + b for a vector of tiles (max(Y, 0) with relu), M's 16 positions positionStride apart from src; the
    // loads reordered by order when permute (a group's expansion from the dense tile order, see RowGroup).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputTiles(float* src, nint positionStride, bool permute, Vector512<int> order, Vector512<float> b, bool relu,
        out Vector512<float> y00, out Vector512<float> y01, out Vector512<float> y10, out Vector512<float> y11)
    {
        var m00 = Position(src, 0, positionStride, permute, order); var m01 = Position(src, 1, positionStride, permute, order);
        var m02 = Position(src, 2, positionStride, permute, order); var m03 = Position(src, 3, positionStride, permute, order);
        var m10 = Position(src, 4, positionStride, permute, order); var m11 = Position(src, 5, positionStride, permute, order);
        var m12 = Position(src, 6, positionStride, permute, order); var m13 = Position(src, 7, positionStride, permute, order);
        var m20 = Position(src, 8, positionStride, permute, order); var m21 = Position(src, 9, positionStride, permute, order);
        var m22 = Position(src, 10, positionStride, permute, order); var m23 = Position(src, 11, positionStride, permute, order);
        var m30 = Position(src, 12, positionStride, permute, order); var m31 = Position(src, 13, positionStride, permute, order);
        var m32 = Position(src, 14, positionStride, permute, order); var m33 = Position(src, 15, positionStride, permute, order);
        // Aᵀ along rows: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3; then the same along columns.
        var s00 = m00 + m10 + m20; var s01 = m01 + m11 + m21; var s02 = m02 + m12 + m22; var s03 = m03 + m13 + m23;
        var s10 = m10 - m20 - m30; var s11 = m11 - m21 - m31; var s12 = m12 - m22 - m32; var s13 = m13 - m23 - m33;
        y00 = s00 + s01 + s02 + b; y01 = s01 - s02 - s03 + b;
        y10 = s10 + s11 + s12 + b; y11 = s11 - s12 - s13 + b;
        if (relu)
        {
            y00 = Vector512.Max(y00, Vector512<float>.Zero); y01 = Vector512.Max(y01, Vector512<float>.Zero);
            y10 = Vector512.Max(y10, Vector512<float>.Zero); y11 = Vector512.Max(y11, Vector512<float>.Zero);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Position(float* src, int xi, nint positionStride, bool permute, Vector512<int> order)
    {
        var v = Vector512.Load(src + xi * positionStride);
        return permute ? Avx512F.PermuteVar16x32(v, order) : v;
    }

    // Lanes e of a 16-wide load at input column start + e that fall inside [0, w).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Inside(int start, int w)
    {
        var column = LaneIndex + Vector512.Create(start);
        return (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(w))).AsSingle();
    }

    // The four tile columns (j = 0..3) of input row r for 16 tiles: zero outside the image.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(float* plane, int r, int h, int w, int b0, Vector512<float> lo0, Vector512<float> hi0,
        Vector512<float> lo2, Vector512<float> hi2,
        out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
    {
        if ((uint)r >= (uint)h)
        {
            d0 = d1 = d2 = d3 = Vector512<float>.Zero;
            return;
        }
        float* p = plane + (nint)r * w + b0;
        var a = Avx512F.MaskLoad(p, lo0, Vector512<float>.Zero);
        var b = Avx512F.MaskLoad(p + 16, hi0, Vector512<float>.Zero);
        var c = Avx512F.MaskLoad(p + 2, lo2, Vector512<float>.Zero);
        var e = Avx512F.MaskLoad(p + 18, hi2, Vector512<float>.Zero);
        d0 = Avx512F.PermuteVar16x32x2(a, EvenLanes, b);
        d1 = Avx512F.PermuteVar16x32x2(a, OddLanes, b);
        d2 = Avx512F.PermuteVar16x32x2(c, EvenLanes, e);
        d3 = Avx512F.PermuteVar16x32x2(c, OddLanes, e);
    }

    // Row i of V = (Bᵀ d) B: columns t0 - t2, t1 + t2, t2 - t1, t1 - t3 are positions 4i .. 4i + 3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* dst, nint positionStride, int i, Vector512<float> store,
        Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3)
    {
        float* p = dst + 4 * i * positionStride;
        Avx512F.MaskStore(p, store, t0 - t2);
        Avx512F.MaskStore(p + positionStride, store, t1 + t2);
        Avx512F.MaskStore(p + 2 * positionStride, store, t2 - t1);
        Avx512F.MaskStore(p + 3 * positionStride, store, t1 - t3);
    }

    // dst[2k] = left[k], dst[2k + 1] = right[k] for the 16 tiles, where the column is inside the output.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreInterleaved(float* dst, Vector512<float> left, Vector512<float> right,
        Vector512<float> colsLo, Vector512<float> colsHi, bool accumulate)
    {
        var lo = Avx512F.PermuteVar16x32x2(left, InterleaveLow, right);
        var hi = Avx512F.PermuteVar16x32x2(left, InterleaveHigh, right);
        if (accumulate)
        {
            lo += Avx512F.MaskLoad(dst, colsLo, Vector512<float>.Zero);
            hi += Avx512F.MaskLoad(dst + 16, colsHi, Vector512<float>.Zero);
        }
        Avx512F.MaskStore(dst, colsLo, lo);
        Avx512F.MaskStore(dst + 16, colsHi, hi);
    }
}

/// <summary>A frozen layer's Winograd filters, transformed once (<see cref="WinogradConvolution.Prepare"/>), pinned and 64-byte aligned.</summary>
public sealed unsafe class WinogradFilters
{
    private readonly float[] buffer;

    internal WinogradFilters(int c, int outC, int tile, int floats)
    {
        (C, OutC, Tile) = (c, outC, tile);
        buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        fixed (float* p = buffer) Pointer = (float*)(((nint)p + 63) & ~(nint)63);
    }

    public int C { get; }
    public int OutC { get; }

    /// <summary>The output tile's side the filters were transformed for: 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3)).</summary>
    public int Tile { get; }

    internal float* Pointer { get; }
}

/// <summary>Per-thread Winograd buffers (transformed inputs, their packed panels, products, filters): pinned, grown on demand, reused.</summary>
internal sealed unsafe class WinogradScratch
{
    [ThreadStatic] private static WinogradScratch? current;

    private float[] v = [], packedA = [], packedB = [], m = [], filters = [], partials = [], staging = [];

    public float* V { get; private set; }
    public float* PackedA { get; private set; }
    public float* PackedB { get; private set; }
    public float* M { get; private set; }
    public float* Filters { get; private set; }
    public float* Partials { get; private set; }
    public float* Staging { get; private set; }

    public static WinogradScratch ForThisThread() => current ??= new WinogradScratch();

    public void Reserve(int vFloats, int packedFloats, int mFloats)
    {
        if (v.Length < vFloats + 16) V = Allocate(ref v, vFloats);
        if (packedB.Length < packedFloats + 16) PackedB = Allocate(ref packedB, packedFloats);
        if (m.Length < mFloats + 16) M = Allocate(ref m, mFloats);
    }

    public void ReservePackedA(int floats)
    {
        if (packedA.Length < floats + 16) PackedA = Allocate(ref packedA, floats);
    }

    public void ReservePartials(int floats)
    {
        if (partials.Length < floats + 16) Partials = Allocate(ref partials, floats);
    }

    public void ReserveStaging(int floats)
    {
        if (staging.Length < floats + 16) Staging = Allocate(ref staging, floats);
    }

    public void ReserveFilters(int floats)
    {
        if (filters.Length < floats + 16) Filters = Allocate(ref filters, floats);
    }

    // Pinned arrays never move, so the aligned pointer stays valid for the array's lifetime.
    private static float* Allocate(ref float[] buffer, int floats)
    {
        buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        fixed (float* p = buffer)
            return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
