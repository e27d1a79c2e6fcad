using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// Winograd's F(4x4, 3x3) (Lavin and Gray): a 4x4 output tile from a 6x6 input tile, 36 multiply-adds per channel pair
/// instead of F(2x2, 3x3)'s 4 x 16 = 64 for the same 16 outputs. The transforms, with the interpolation points 0, ±1, ±2
/// and infinity (Lavin's matrices):
///   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
///   G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1],
///   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
/// Position ξ = 6l + k is row l, column k of the 6x6 transformed tile. The 16 tiles of a vector are taken in the chunk's
/// dense order, whatever tile rows (or images) they come from, so every map size fills all 16 lanes: the inputs are read
/// row by row and transposed in registers (WinogradWindowRows; zero outside the image), and each tile's outputs are
/// written as rows of 4 floats.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    private const int LargePositions = 36;

    [ThreadStatic] private static bool largeTilesOff;

    /// <summary>
    /// Off switch for F(4x4, 3x3), for comparisons and tests: every layer then takes F(2x2, 3x3). Per thread: the thread
    /// that calls a convolution picks its tile size, so a test that flips it does not change what others compute.
    /// </summary>
    internal static bool LargeTiles { get => !largeTilesOff; set => largeTilesOff = !value; }

    /// <summary>
    /// The output tile's side for this layer: 4 where F(4x4, 3x3) is on, on maps of at most 8x8 outputs (any 16 tiles a
    /// vector, read row by row: WinogradWindowRows) and on maps 9 to 28 outputs wide (whole tile rows a vector,
    /// WinogradLargeTileRows), if its buffers' offsets fit 32 bits (kept from when the first were gathered); else 2.
    /// Measured against 2x2 tiles (resnet9, batch 128, 2 threads, forward / input gradient / weight gradient): 3x3 maps
    /// of 256 channels 1.28x, 7x7 1.15x; 14x14 64 -> 64
    /// 3.36 / 3.92 / 4.48 ms against 2.71 / 2.73 / 3.51, 28x28 32 -> 64 7.8 / 9.9 / 10.5 against 7.5 / 9.4 / 9.1.
    /// </summary>
    public static int TileFor(in ConvGeometry g) =>
        LargeTiles && (g.OH <= 8 && g.OW <= 8 || TileRowsPerVector((g.OW + 3) / 4) > 0)
        && (long)g.N * g.C * g.H * g.W < int.MaxValue && (long)g.N * g.OutC * g.OH * g.OW < int.MaxValue ? 4 : 2;

    // Bᵀ z for one line of 6: the rows of Bᵀ above.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputLine(float* z, nint zStride, float* o, nint oStride) =>
        InputLine(Vector512.Load(z), Vector512.Load(z + zStride), Vector512.Load(z + 2 * zStride), Vector512.Load(z + 3 * zStride),
            Vector512.Load(z + 4 * zStride), Vector512.Load(z + 5 * zStride), o, oStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputLine(Vector512<float> z0, Vector512<float> z1, Vector512<float> z2, Vector512<float> z3, Vector512<float> z4,
        Vector512<float> z5, float* o, nint oStride)
    {
        InputLine(z0, z1, z2, z3, z4, z5, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5);
        Vector512.Store(o0, o); Vector512.Store(o1, o + oStride); Vector512.Store(o2, o + 2 * oStride);
        Vector512.Store(o3, o + 3 * oStride); Vector512.Store(o4, o + 4 * oStride); Vector512.Store(o5, o + 5 * oStride);
    }

    // 4z0 − 5z2 + z4, (z3 + z4) − 4(z1 + z2), 4(z1 − z2) + (z4 − z3), 2(z3 − z1) + (z4 − z2), (z4 − z2) − 2(z3 − z1), 4z1 − 5z3 + z5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputLine(Vector512<float> z0, Vector512<float> z1, Vector512<float> z2, Vector512<float> z3, Vector512<float> z4,
        Vector512<float> z5, out Vector512<float> o0, out Vector512<float> o1, out Vector512<float> o2, out Vector512<float> o3,
        out Vector512<float> o4, out Vector512<float> o5)
    {
        var four = Vector512.Create(4f); var five = Vector512.Create(5f); var two = Vector512.Create(2f);
        var d42 = z4 - z2; var d31 = z3 - z1;
        o0 = Avx512F.FusedMultiplyAdd(four, z0, Avx512F.FusedMultiplyAddNegated(five, z2, z4));
        o1 = Avx512F.FusedMultiplyAddNegated(four, z1 + z2, z3 + z4);
        o2 = Avx512F.FusedMultiplyAdd(four, z1 - z2, z4 - z3);
        o3 = Avx512F.FusedMultiplyAdd(two, d31, d42);
        o4 = Avx512F.FusedMultiplyAddNegated(two, d31, d42);
        o5 = Avx512F.FusedMultiplyAdd(four, z1, Avx512F.FusedMultiplyAddNegated(five, z3, z5));
    }

    // Aᵀ m for one line of 6: y0 = m0 + m1 + m2 + m3 + m4, y1 = (m1 − m2) + 2(m3 − m4), y2 = (m1 + m2) + 4(m3 + m4),
    // y3 = (m1 − m2) + 8(m3 − m4) + m5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputLine(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4,
        Vector512<float> m5, out Vector512<float> y0, out Vector512<float> y1, out Vector512<float> y2, out Vector512<float> y3)
    {
        var s12 = m1 + m2; var d12 = m1 - m2; var s34 = m3 + m4; var d34 = m3 - m4;
        y0 = m0 + s12 + s34;
        y1 = Avx512F.FusedMultiplyAdd(Vector512.Create(2f), d34, d12);
        y2 = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), s34, s12);
        y3 = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), d34, d12 + m5);
    }

    // A y for one line of 4 (the output gradient's spread over 6): y0, y0 + y1 + y2 + y3, y0 − y1 + y2 − y3,
    // y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientLine(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3, float* o, nint oStride)
    {
        var s02 = y0 + y2; var s13 = y1 + y3;
        var e = Avx512F.FusedMultiplyAdd(Vector512.Create(4f), y2, y0);
        var f = Avx512F.FusedMultiplyAdd(Vector512.Create(8f), y3, Vector512.Create(2f) * y1);
        Vector512.Store(y0, o);
        Vector512.Store(s02 + s13, o + oStride);
        Vector512.Store(s02 - s13, o + 2 * oStride);
        Vector512.Store(e + f, o + 3 * oStride);
        Vector512.Store(e - f, o + 4 * oStride);
        Vector512.Store(y3, o + 5 * oStride);
    }

    private partial struct ChunkWork
    {
        // V[ξ][c][t] = (Bᵀ d B)[ξ] for the chunk's tiles and the input channels [ch0, ch1), d the 6x6 input window from
        // row 4·ty − ph, column 4·tx − pw.
        public readonly void TransformInputLarge(float* v, nint channelStride, nint positionStride, int row0, int rowCount, int ch0, int ch1)
        {
            if (TileRowsPerVector(TilesX) is int rowsPerVector and > 0)
            {
                TransformInputLargeRows(v, channelStride, positionStride, row0, rowCount, rowsPerVector, ch0, ch1);
                return;
            }
            var g = G;
            int c = g.C, h = g.H, w = g.W, tiles = rowCount * TilesX, plane = h * w;
            nint* offsets = stackalloc nint[6 * 16];
            var masks = stackalloc Vector256<float>[6 * 16];
            float* r = stackalloc float[36 * 16];   // Bᵀ along each row: [i][k][lane]
            float* column = stackalloc float[6 * 16];
            for (int t0 = 0; t0 < tiles; t0 += 16)
            {
                int count = Math.Min(16, tiles - t0);
                WindowLanes(t0, count, row0, TilesX, TilesY, (nint)c * plane, h, w, -g.Padding.Height, -g.Padding.Width, 6, 6, offsets, masks);
                var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                for (int ch = ch0; ch < ch1; ch++)
                {
                    float* channel = X + (nint)ch * plane;
                    for (int i = 0; i < 6; i++)
                    {
                        WindowRow(channel, offsets + i * 16, masks + i * 16, out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
                        InputLine(d0, d1, d2, d3, d4, d5, r + i * 96, 16);
                    }
                    // Then Bᵀ down each column k, straight into V: position 6l + k.
                    float* dst = v + ch * channelStride + t0;
                    for (int k = 0; k < 6; k++)
                    {
                        InputLine(r + k * 16, 96, column, 16);
                        for (int l = 0; l < 6; l++)
                            Avx512F.MaskStore(dst + (l * 6 + k) * positionStride, store, Vector512.Load(column + l * 16));
                    }
                }
            }
        }

        // Output tiles Y = Aᵀ M A (+ bias, max(·, 0) with relu), each tile's 4x4 block written row by row.
        private readonly void TransformOutputLarge(float* m, int ld, int row0, int rowCount)
        {
            if (TileRowsPerVector(TilesX) is int rowsPerVector and > 0)
            {
                TransformOutputLargeRows(m, ld, row0, rowCount, rowsPerVector);
                return;
            }
            if (Pool)
            {
                TransformOutputLargePooled(m, ld, row0, rowCount);
                return;
            }
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW, tiles = rowCount * TilesX, plane = oh * ow;
            float* s = stackalloc float[24 * 16];   // Aᵀ down each column: [r][k][lane]
            float* q = stackalloc float[64];        // one output row of the 16 tiles, tile by tile (see Interleave4)
            int* offset = stackalloc int[16];
            int* rows = stackalloc int[16];
            int* cols = stackalloc int[16];
            for (int t0 = 0; t0 < tiles; t0 += 16)
            {
                int count = Math.Min(16, tiles - t0);
                for (int lane = 0; lane < count; lane++)
                {
                    int t = t0 + lane, tileRow = row0 + t / TilesX, n = tileRow / TilesY, y = 4 * (tileRow % TilesY), x = 4 * (t % TilesX);
                    offset[lane] = n * oc * plane + y * ow + x;
                    rows[lane] = Math.Min(4, oh - y);
                    cols[lane] = Math.Min(4, ow - x);
                }
                for (int o = OcStart; o < OcEnd; o++)
                {
                    OutputColumns(m + (nint)o * LargePositions * ld + t0, ld, s);
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    float* channel = Output + (nint)o * plane;
                    for (int r = 0; r < 4; r++)
                    {
                        OutputRow(s + r * 96, b, Relu, out var y0, out var y1, out var y2, out var y3);
                        Interleave4(y0, y1, y2, y3, q);
                        for (int lane = 0; lane < count; lane++)
                        {
                            if (r >= rows[lane]) continue;
                            float* dst = channel + offset[lane] + r * ow;
                            float* val = q + TileSlot(lane);
                            if (cols[lane] == 4)
                            {
                                var row = Vector128.Load(val);
                                if (Accumulate) row += Vector128.Load(dst);
                                row.Store(dst);
                            }
                            else
                                for (int col = 0; col < cols[lane]; col++) dst[col] = Accumulate ? dst[col] + val[col] : val[col];
                        }
                    }
                }
            }
        }
    }

    // s[r·96 + k·16 + lane] = (Aᵀ m)[r][k]: Aᵀ down each of the 6 columns of the 16 tiles' products, m's positions ld apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputColumns(float* src, int ld, float* s)
    {
        for (int k = 0; k < 6; k++)
        {
            OutputLine(Vector512.Load(src + k * ld), Vector512.Load(src + (6 + k) * ld), Vector512.Load(src + (12 + k) * ld),
                Vector512.Load(src + (18 + k) * ld), Vector512.Load(src + (24 + k) * ld), Vector512.Load(src + (30 + k) * ld),
                out var s0, out var s1, out var s2, out var s3);
            Vector512.Store(s0, s + k * 16); Vector512.Store(s1, s + (6 + k) * 16);
            Vector512.Store(s2, s + (12 + k) * 16); Vector512.Store(s3, s + (18 + k) * 16);
        }
    }

    // Output row r of the 16 tiles from its line sr = s + r·96 of OutputColumns: Aᵀ along it, + b, max(·, 0) with relu.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OutputRow(float* sr, Vector512<float> b, bool relu,
        out Vector512<float> y0, out Vector512<float> y1, out Vector512<float> y2, out Vector512<float> y3)
    {
        OutputLine(Vector512.Load(sr), Vector512.Load(sr + 16), Vector512.Load(sr + 32), Vector512.Load(sr + 48),
            Vector512.Load(sr + 64), Vector512.Load(sr + 80), out y0, out y1, out y2, out y3);
        y0 += b; y1 += b; y2 += b; y3 += b;
        if (relu)
        {
            y0 = Vector512.Max(y0, Vector512<float>.Zero); y1 = Vector512.Max(y1, Vector512<float>.Zero);
            y2 = Vector512.Max(y2, Vector512<float>.Zero); y3 = Vector512.Max(y3, Vector512<float>.Zero);
        }
    }

    // Lanes' column values y0..y3 regrouped tile by tile: tile L's 4 floats at q + TileSlot(L). A 4x4 transpose within
    // each 128-bit block leaves tile 4b + s in block b of register s.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave4(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3, float* q)
    {
        var a = Avx512F.UnpackLow(y0, y1); var b = Avx512F.UnpackHigh(y0, y1);
        var c = Avx512F.UnpackLow(y2, y3); var d = Avx512F.UnpackHigh(y2, y3);
        Vector512.Store(Avx512F.Shuffle(a, c, 0x44), q);
        Vector512.Store(Avx512F.Shuffle(a, c, 0xEE), q + 16);
        Vector512.Store(Avx512F.Shuffle(b, d, 0x44), q + 32);
        Vector512.Store(Avx512F.Shuffle(b, d, 0xEE), q + 48);
    }

    private static int TileSlot(int lane) => (lane & 3) * 16 + (lane >> 2) * 4;

    private partial struct WeightWork
    {
        // dM[ξ][o][t] = (A dY Aᵀ)[ξ] for the chunk's tiles: dY's 4x4 block (zero past the output's edge) spread over 6x6.
        private readonly void TransformOutputGradientLarge(float* m, int ld, int row0, int rowCount)
        {
            if (TileRowsPerVector(TilesX) is int rowsPerVector and > 0)
            {
                TransformOutputGradientLargeRows(m, ld, row0, rowCount, rowsPerVector);
                return;
            }
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW, tiles = rowCount * TilesX, plane = oh * ow;
            nint* offsets = stackalloc nint[4 * 16];
            var masks = stackalloc Vector256<float>[4 * 16];
            float* p = stackalloc float[24 * 16];   // A along each row: [r][k][lane]
            float* column = stackalloc float[6 * 16];
            for (int t0 = 0; t0 < tiles; t0 += 16)
            {
                int count = Math.Min(16, tiles - t0);
                WindowLanes(t0, count, row0, TilesX, TilesY, (nint)oc * plane, oh, ow, 0, 0, 4, 4, offsets, masks);
                var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                for (int o = 0; o < oc; o++)
                {
                    float* channel = Dy + (nint)o * plane;
                    for (int r = 0; r < 4; r++)
                    {
                        WindowRow(channel, offsets + r * 16, masks + r * 16, out var y0, out var y1, out var y2, out var y3, out _, out _);
                        GradientLine(y0, y1, y2, y3, p + r * 96, 16);
                    }
                    GradientColumns(p, m + (nint)o * LargePositions * ld + t0, ld, store, column);
                }
            }
        }
    }

    // A down each of the 6 columns of p ([r][k][lane], the rows already spread by A), into dM's positions 6l + k, ld
    // apart from dst (column: 96 floats of scratch).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientColumns(float* p, float* dst, int ld, Vector512<float> store, float* column)
    {
        for (int k = 0; k < 6; k++)
        {
            GradientLine(Vector512.Load(p + k * 16), Vector512.Load(p + 96 + k * 16), Vector512.Load(p + 192 + k * 16),
                Vector512.Load(p + 288 + k * 16), column, 16);
            for (int l = 0; l < 6; l++)
                Avx512F.MaskStore(dst + (l * 6 + k) * ld, store, Vector512.Load(column + l * 16));
        }
    }

    // U[ξ][panel][c][r] = (G g Gᵀ)[ξ] for the panel's 8 output channels, as TransformPanel does for F(2x2, 3x3).
    private static void TransformPanelLarge(float* u, float* weight, bool flip, int c, int oc, int ocPanels, int panel)
    {
        nint positionStride = (nint)ocPanels * 8 * c;
        float* f = stackalloc float[72];
        float* rows = stackalloc float[18 * 8]; // G g: [l][kernel column][r]
        for (int ch = 0; ch < c; ch++)
        {
            for (int r = 0; r < 8; r++)
            {
                int o = panel * 8 + r;
                for (int t = 0; t < 9; t++)
                    f[t * 8 + r] = o >= oc ? 0 : flip ? weight[(ch * oc + o) * 9 + 8 - t] : weight[(o * c + ch) * 9 + t];
            }
            for (int b = 0; b < 3; b++)
                FilterLine(Vector256.Load(f + b * 8), Vector256.Load(f + 24 + b * 8), Vector256.Load(f + 48 + b * 8), rows + b * 8, 24);
            float* dst = u + ((nint)panel * c + ch) * 8;
            for (int l = 0; l < 6; l++)
                FilterLine(Vector256.Load(rows + l * 24), Vector256.Load(rows + l * 24 + 8), Vector256.Load(rows + l * 24 + 16),
                    dst + l * 6 * positionStride, positionStride);
        }
    }

    // G x for one line of 3 taps: x0/4, −(x0 + x1 + x2)/6, −(x0 − x1 + x2)/6, x0/24 + x1/12 + x2/6, x0/24 − x1/12 + x2/6, x2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FilterLine(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, float* o, nint oStride)
    {
        var s02 = x0 + x2;
        var e = x0 * Vector256.Create(1f / 24) + x2 * Vector256.Create(1f / 6);
        var f = x1 * Vector256.Create(1f / 12);
        (x0 * Vector256.Create(0.25f)).Store(o);
        ((s02 + x1) * Vector256.Create(-1f / 6)).Store(o + oStride);
        ((s02 - x1) * Vector256.Create(-1f / 6)).Store(o + 2 * oStride);
        (e + f).Store(o + 3 * oStride);
        (e - f).Store(o + 4 * oStride);
        x2.Store(o + 5 * oStride);
    }

    private partial struct WeightGradientTransform
    {
        // dW[o][c] (+)= Gᵀ (Σ_groups dU[ξ][o][c]) G for 16 input channels at a time (the partials' rows are padded to 32).
        // Each weight's transform needs its 36 positions at once: read from the partials directly, that is 36 streams per
        // group, 256 KiB apart for 256 -> 256, more than the prefetchers follow (on 3x3 maps at batch 128 this pass took
        // 4.5 of the weight gradient's 12.6 ms). So a block of output rows is first summed over the groups into a
        // staging buffer, position by position (long sequential reads), and transformed from there.
        private readonly void RunLarge(int start, int end)
        {
            float* u = stackalloc float[36 * 16];
            float* r = stackalloc float[18 * 16];  // dU G: [l][kernel column][lane]
            float* w = stackalloc float[9 * 16];   // [tap][lane]
            int blockRows = Math.Clamp(1024 / RowStride, 1, 8);
            nint stagedPosition = (nint)blockRows * RowStride + 16;   // a line more: positions 4 KiB apart share an L1 set
            var scratch = WinogradScratch.ForThisThread();
            scratch.ReserveStaging(checked((int)(LargePositions * stagedPosition)));
            float* staged = scratch.Staging;
            for (int o0 = start; o0 < end; o0 += blockRows)
            {
                int rows = Math.Min(blockRows, end - o0);
                for (int xi = 0; xi < LargePositions; xi++)
                    SumGroups(staged + xi * stagedPosition, Partials + xi * Position + (nint)o0 * RowStride, rows * RowStride);
                for (int o = o0; o < o0 + rows; o++)
                    for (int ch0 = 0; ch0 < C; ch0 += 16)
                    {
                        float* at = staged + (nint)(o - o0) * RowStride + ch0;
                        for (int xi = 0; xi < LargePositions; xi++) Vector512.Store(Vector512.Load(at + xi * stagedPosition), u + xi * 16);
                        for (int l = 0; l < 6; l++) WeightLine(u + l * 96, 16, r + l * 48, 16);
                        for (int b = 0; b < 3; b++) WeightLine(r + b * 16, 48, w + b * 16, 48);
                        int lanes = Math.Min(16, C - ch0);
                        for (int lane = 0; lane < lanes; lane++)
                        {
                            float* dst = Dw + ((nint)o * C + ch0 + lane) * 9;
                            for (int tap = 0; tap < 9; tap++) dst[tap] = Accumulate ? dst[tap] + w[tap * 16 + lane] : w[tap * 16 + lane];
                        }
                    }
            }
        }

        // dst[i] = Σ_k partial_k[i] for i < count (a multiple of 16), the groups in order.
        private readonly void SumGroups(float* dst, float* src, int count)
        {
            for (int i = 0; i < count; i += 16)
            {
                var sum = Vector512.Load(src + i);
                for (int k = 1; k < Groups; k++) sum += Vector512.Load(src + k * PartialFloats + i);
                Vector512.Store(sum, dst + i);
            }
        }

        // Gᵀ u for one line of 6: u0/4 − (u1 + u2)/6 + (u3 + u4)/24, (u2 − u1)/6 + (u3 − u4)/12, (u3 + u4 − u1 − u2)/6 + u5.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WeightLine(float* u, nint uStride, float* o, nint oStride)
        {
            var u0 = Vector512.Load(u); var u1 = Vector512.Load(u + uStride); var u2 = Vector512.Load(u + 2 * uStride);
            var u3 = Vector512.Load(u + 3 * uStride); var u4 = Vector512.Load(u + 4 * uStride); var u5 = Vector512.Load(u + 5 * uStride);
            var s12 = u1 + u2; var s34 = u3 + u4;
            Vector512.Store(u0 * Vector512.Create(0.25f) - s12 * Vector512.Create(1f / 6) + s34 * Vector512.Create(1f / 24), o);
            Vector512.Store((u2 - u1) * Vector512.Create(1f / 6) + (u3 - u4) * Vector512.Create(1f / 12), o + oStride);
            Vector512.Store((s34 - s12) * Vector512.Create(1f / 6) + u5, o + 2 * oStride);
        }
    }
}
