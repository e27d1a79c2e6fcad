using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// F(4x4, 3x3) on maps of 3 to 7 tiles a row (9 to 28 outputs wide): each vector holds whole tile rows, 16 / TilesX of
/// them (two rows of 7 tiles on a 28x28 map, four of 4 on 14x14), still in the chunk's dense tile order. A tile row's
/// inputs then lie in one line of at most 30 floats, so two loads and one permutation per window column replace the 36
/// gathers a vector of arbitrary tiles needs, and a tile row's outputs are written as one line instead of tile by tile.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    /// <summary>Tile rows per vector for F(4x4, 3x3) with whole rows in each vector, or 0 where the vectors take any 16 tiles.</summary>
    private static int TileRowsPerVector(int tilesX) => tilesX is >= 3 and <= 7 ? 16 / tilesX : 0;

    // perm[s·6 + j]: lane s·tilesX + k takes element 4k + j of row s's 32-float line (k < tilesX, j < 6); rowLanes[s]:
    // the lanes of row s.
    private static void RowPermutations(int tilesX, int rowsPerVector, Vector512<int>* perm, Vector512<float>* rowLanes)
    {
        int* p = stackalloc int[16];
        for (int s = 0; s < rowsPerVector; s++)
        {
            for (int j = 0; j < 6; j++)
            {
                for (int lane = 0; lane < 16; lane++)
                {
                    int k = lane - s * tilesX;
                    p[lane] = k >= 0 && k < tilesX ? 4 * k + j : 0;
                }
                perm[s * 6 + j] = Vector512.Load(p);
            }
            var first = Vector512.Create(s * tilesX);
            rowLanes[s] = (Vector512.GreaterThanOrEqual(LaneIndex, first) & Vector512.LessThan(LaneIndex, first + Vector512.Create(tilesX))).AsSingle();
        }
    }

    // Where the vector's tile rows sit: rows[s] the offset of row s's first output (or input window) row, tileRowFloats
    // apart from one tile row to the next, top[s] its row in the image (4·ty), for the chunk's tile rows rr0 .. rr0 + segments.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TileRowOrigins(int row0, int rr0, int segments, int tilesY, nint imageFloats, int tileRowFloats, nint* rows, int* top)
    {
        for (int s = 0; s < segments; s++)
        {
            int tileRow = row0 + rr0 + s, ty = tileRow % tilesY;
            top[s] = 4 * ty;
            rows[s] = tileRow / tilesY * imageFloats + (nint)ty * tileRowFloats;
        }
    }

    // d_j[s·tilesX + k] = line_s[4k + j] for j < columns (4 or 6), line_s the 32 floats at lines[s], zero where mask lo / hi
    // is off and for a null line (a row outside the image). Lanes past the last row hold row 0's values: never stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LoadTileRows(float** lines, int segments, int columns, Vector512<float> lo, Vector512<float> hi,
        Vector512<int>* perm, Vector512<float>* rowLanes, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2,
        out Vector512<float> d3, out Vector512<float> d4, out Vector512<float> d5)
    {
        Load(lines[0], lo, hi, out var a, out var b);
        d0 = Avx512F.PermuteVar16x32x2(a, perm[0], b);
        d1 = Avx512F.PermuteVar16x32x2(a, perm[1], b);
        d2 = Avx512F.PermuteVar16x32x2(a, perm[2], b);
        d3 = Avx512F.PermuteVar16x32x2(a, perm[3], b);
        d4 = columns == 6 ? Avx512F.PermuteVar16x32x2(a, perm[4], b) : default;
        d5 = columns == 6 ? Avx512F.PermuteVar16x32x2(a, perm[5], b) : default;
        for (int s = 1; s < segments; s++)
        {
            Load(lines[s], lo, hi, out a, out b);
            var lanes = rowLanes[s];
            Vector512<int>* p = perm + s * 6;
            d0 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[0], b), d0);
            d1 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[1], b), d1);
            d2 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[2], b), d2);
            d3 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[3], b), d3);
            if (columns == 6)
            {
                d4 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[4], b), d4);
                d5 = Vector512.ConditionalSelect(lanes, Avx512F.PermuteVar16x32x2(a, p[5], b), d5);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load(float* line, Vector512<float> lo, Vector512<float> hi, out Vector512<float> a, out Vector512<float> b)
    {
        if (line is null)
        {
            a = b = Vector512<float>.Zero;
            return;
        }
        a = Avx512F.MaskLoad(line, lo, Vector512<float>.Zero);
        b = Avx512F.MaskLoad(line + 16, hi, Vector512<float>.Zero);
    }

    // index[s·2 + h]: float e of half h of row s's output line, e = 4k + j (tile k, column j), is y_j's lane s·tilesX + k:
    // lane + 16 picks the second register of a pair (y1 of y0, y1; y3 of y2, y3). Lanes past the row's tiles are clamped
    // (those columns lie past the output's width, never stored).
    private static void LinePermutations(int tilesX, int rowsPerVector, Vector512<int>* index)
    {
        int* p = stackalloc int[16];
        for (int s = 0; s < rowsPerVector; s++)
            for (int h = 0; h < 2; h++)
            {
                for (int e = 0; e < 16; e++) p[e] = Math.Min(s * tilesX + 4 * h + e / 4, 15) + (e & 1) * 16;
                index[s * 2 + h] = Vector512.Load(p);
            }
    }

    // Floats e of columns j = e mod 4 ≥ 2: taken from the pair y2, y3.
    private static readonly Vector512<float> HighColumns = Vector512.Create(0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1, 0, 0, -1, -1).AsSingle();

    private partial struct ChunkWork
    {
        // TransformInputLarge for vectors of whole tile rows.
        private readonly void TransformInputLargeRows(float* v, nint channelStride, nint positionStride, int row0, int rowCount, int rowsPerVector,
            int ch0, int ch1)
        {
            var g = G;
            int c = g.C, h = g.H, w = g.W, ph = g.Padding.Height, pw = g.Padding.Width, plane = h * w;
            var perm = stackalloc Vector512<int>[6 * 5];
            var rowLanes = stackalloc Vector512<float>[5];
            RowPermutations(TilesX, rowsPerVector, perm, rowLanes);
            nint* origin = stackalloc nint[5];
            int* top = stackalloc int[5];
            float** lines = stackalloc float*[5];
            float* r = stackalloc float[36 * 16];   // Bᵀ along each window row: [i][k][lane]
            // The line of a tile row starts at column −pw: lanes outside the image read as zeros.
            var lo = Inside(-pw, w); var hi = Inside(16 - pw, w);
            for (int rr0 = 0; rr0 < rowCount; rr0 += rowsPerVector)
            {
                int segments = Math.Min(rowsPerVector, rowCount - rr0), count = segments * TilesX, t0 = rr0 * TilesX;
                TileRowOrigins(row0, rr0, segments, TilesY, (nint)c * plane, 4 * w, origin, top);
                var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                for (int ch = ch0; ch < ch1; ch++)
                {
                    float* channel = X + (nint)ch * plane - pw;
                    for (int i = 0; i < 6; i++)
                    {
                        for (int s = 0; s < segments; s++)
                        {
                            int y = top[s] - ph + i;
                            lines[s] = (uint)y < (uint)h ? channel + origin[s] + (nint)(i - ph) * w : null;
                        }
                        LoadTileRows(lines, segments, 6, lo, hi, perm, rowLanes, out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
                        InputLine(d0, d1, d2, d3, d4, d5, r + i * 96, 16);
                    }
                    // Then Bᵀ down each column k, straight into V: position 6l + k.
                    float* dst = v + ch * channelStride + t0;
                    for (int k = 0; k < 6; k++)
                    {
                        float* column = r + k * 16;
                        InputLine(Vector512.Load(column), Vector512.Load(column + 96), Vector512.Load(column + 192), Vector512.Load(column + 288),
                            Vector512.Load(column + 384), Vector512.Load(column + 480), out var o0, out var o1, out var o2, out var o3, out var o4, out var o5);
                        float* at = dst + k * positionStride;
                        nint line = 6 * positionStride;
                        Avx512F.MaskStore(at, store, o0); Avx512F.MaskStore(at + line, store, o1); Avx512F.MaskStore(at + 2 * line, store, o2);
                        Avx512F.MaskStore(at + 3 * line, store, o3); Avx512F.MaskStore(at + 4 * line, store, o4); Avx512F.MaskStore(at + 5 * line, store, o5);
                    }
                }
            }
        }

        // TransformOutputLarge for vectors of whole tile rows: each tile row's output row written as one line.
        private readonly void TransformOutputLargeRows(float* m, int ld, int row0, int rowCount, int rowsPerVector)
        {
            if (Pool)
            {
                TransformOutputLargeRowsPooled(m, ld, row0, rowCount, rowsPerVector);
                return;
            }
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW, plane = oh * ow;
            nint* origin = stackalloc nint[5];
            int* top = stackalloc int[5];
            float* s = stackalloc float[24 * 16];   // Aᵀ down each column: [r][k][lane]
            var index = stackalloc Vector512<int>[2 * 5];
            LinePermutations(TilesX, rowsPerVector, index);
            var lo = Vector512.LessThan(LaneIndex, Vector512.Create(ow)).AsSingle();
            var hi = Vector512.LessThan(LaneIndex, Vector512.Create(ow - 16)).AsSingle();
            for (int rr0 = 0; rr0 < rowCount; rr0 += rowsPerVector)
            {
                int segments = Math.Min(rowsPerVector, rowCount - rr0), t0 = rr0 * TilesX;
                TileRowOrigins(row0, rr0, segments, TilesY, (nint)oc * plane, 4 * ow, origin, top);
                for (int o = OcStart; o < OcEnd; o++)
                {
                    OutputColumns(m + (nint)o * LargePositions * ld + t0, ld, s);
                    float* channel = Output + (nint)o * plane;
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    for (int r = 0; r < 4; r++)
                    {
                        OutputRow(s + r * 96, b, Relu, out var y0, out var y1, out var y2, out var y3);
                        for (int seg = 0; seg < segments; seg++)
                        {
                            if (top[seg] + r >= oh) continue;
                            float* dst = channel + origin[seg] + (nint)r * ow;
                            var left = OutputLinePart(y0, y1, y2, y3, index[seg * 2]);
                            var right = OutputLinePart(y0, y1, y2, y3, index[seg * 2 + 1]);
                            if (Accumulate)
                            {
                                left += Avx512F.MaskLoad(dst, lo, Vector512<float>.Zero);
                                right += Avx512F.MaskLoad(dst + 16, hi, Vector512<float>.Zero);
                            }
                            Avx512F.MaskStore(dst, lo, left);
                            Avx512F.MaskStore(dst + 16, hi, right);
                        }
                    }
                }
            }
        }
    }

    // 16 floats of a tile row's output line (see LinePermutations) from the tiles' columns y0..y3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> OutputLinePart(Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3, Vector512<int> index) =>
        Vector512.ConditionalSelect(HighColumns, Avx512F.PermuteVar16x32x2(y2, index, y3), Avx512F.PermuteVar16x32x2(y0, index, y1));

    private partial struct WeightWork
    {
        // TransformOutputGradientLarge for vectors of whole tile rows.
        private readonly void TransformOutputGradientLargeRows(float* m, int ld, int row0, int rowCount, int rowsPerVector)
        {
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW, plane = oh * ow;
            var perm = stackalloc Vector512<int>[6 * 5];
            var rowLanes = stackalloc Vector512<float>[5];
            RowPermutations(TilesX, rowsPerVector, perm, rowLanes);
            nint* origin = stackalloc nint[5];
            int* top = stackalloc int[5];
            float** lines = stackalloc float*[5];
            float* p = stackalloc float[24 * 16];   // A along each row: [r][k][lane]
            float* column = stackalloc float[6 * 16];
            var lo = Inside(0, ow); var hi = Inside(16, ow);
            for (int rr0 = 0; rr0 < rowCount; rr0 += rowsPerVector)
            {
                int segments = Math.Min(rowsPerVector, rowCount - rr0), count = segments * TilesX, t0 = rr0 * TilesX;
                TileRowOrigins(row0, rr0, segments, TilesY, (nint)oc * plane, 4 * ow, origin, top);
                var store = Vector512.LessThan(LaneIndex, Vector512.Create(count)).AsSingle();
                for (int o = 0; o < oc; o++)
                {
                    float* channel = Dy + (nint)o * plane;
                    for (int r = 0; r < 4; r++)
                    {
                        for (int s = 0; s < segments; s++) lines[s] = top[s] + r < oh ? channel + origin[s] + (nint)r * ow : null;
                        LoadTileRows(lines, segments, 4, lo, hi, perm, rowLanes, out var y0, out var y1, out var y2, out var y3, out _, out _);
                        GradientLine(y0, y1, y2, y3, p + r * 96, 16);
                    }
                    GradientColumns(p, m + (nint)o * LargePositions * ld + t0, ld, store, column);
                }
            }
        }
    }
}
