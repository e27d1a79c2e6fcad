using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// Inference's convolution + 2x2 max pooling of stride 2 (floor mode, as torch.nn.MaxPool2d(2)) in one pass: a 4x4
/// output tile starts at an even row and column, so it holds four whole pooling windows, and only their maxima are
/// written, a quarter of the values, with no map between the two layers to write and read back. Bias and ReLU come
/// before the maximum, as in the layers apart. Windows that reach past the output's last row or column (odd sizes) are
/// dropped, as floor mode drops them.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    // The pooled 2x2 block of each lane's tile for pooled row a: v0 = max over output rows 2a, 2a + 1 and columns 0, 1;
    // v1 = the same over columns 2, 3.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PooledRow(float* s, int a, Vector512<float> b, bool relu, out Vector512<float> v0, out Vector512<float> v1)
    {
        OutputRow(s + 2 * a * 96, b, relu, out var y0, out var y1, out var y2, out var y3);
        OutputRow(s + (2 * a + 1) * 96, b, relu, out var z0, out var z1, out var z2, out var z3);
        v0 = Vector512.Max(Vector512.Max(y0, y1), Vector512.Max(z0, z1));
        v1 = Vector512.Max(Vector512.Max(y2, y3), Vector512.Max(z2, z3));
    }

    // index[s]: float e of row s's pooled line, e = 2k + p (tile k, pooled column p), is v_p's lane s·tilesX + k (lane + 16
    // picks v1). Lanes past the row's tiles are clamped (past the pooled width, never stored).
    private static void PooledLinePermutations(int tilesX, int rowsPerVector, Vector512<int>* index)
    {
        int* p = stackalloc int[16];
        for (int s = 0; s < rowsPerVector; s++)
        {
            for (int e = 0; e < 16; e++) p[e] = Math.Min(s * tilesX + e / 2, 15) + (e & 1) * 16;
            index[s] = Vector512.Load(p);
        }
    }

    private partial struct ChunkWork
    {
        // TransformOutputLargeRows, pooled: Output is [N, OutC, OH / 2, OW / 2]; each tile row gives two pooled rows of at
        // most 14 values.
        private readonly void TransformOutputLargeRowsPooled(float* m, int ld, int row0, int rowCount, int rowsPerVector)
        {
            var g = G;
            int oc = g.OutC, ph = g.OH / 2, pw = g.OW / 2, plane = ph * pw;
            nint* origin = stackalloc nint[5];
            int* top = stackalloc int[5];
            float* s = stackalloc float[24 * 16];
            var index = stackalloc Vector512<int>[5];
            PooledLinePermutations(TilesX, rowsPerVector, index);
            var columns = Vector512.LessThan(LaneIndex, Vector512.Create(pw)).AsSingle();
            for (int rr0 = 0; rr0 < rowCount; rr0 += rowsPerVector)
            {
                int segments = Math.Min(rowsPerVector, rowCount - rr0), t0 = rr0 * TilesX;
                TileRowOrigins(row0, rr0, segments, TilesY, (nint)oc * plane, 2 * pw, origin, top);
                for (int o = OcStart; o < OcEnd; o++)
                {
                    OutputColumns(m + (nint)o * LargePositions * ld + t0, ld, s);
                    float* channel = Output + (nint)o * plane;
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    for (int a = 0; a < 2; a++)
                    {
                        PooledRow(s, a, b, Relu, out var v0, out var v1);
                        for (int seg = 0; seg < segments; seg++)
                            if (top[seg] / 2 + a < ph)
                                Avx512F.MaskStore(channel + origin[seg] + (nint)a * pw, columns, Avx512F.PermuteVar16x32x2(v0, index[seg], v1));
                    }
                }
            }
        }

        // TransformOutputLarge, pooled, for vectors of any 16 tiles: each lane's 2x2 pooled block written on its own.
        private readonly void TransformOutputLargePooled(float* m, int ld, int row0, int rowCount)
        {
            var g = G;
            int oc = g.OutC, ph = g.OH / 2, pw = g.OW / 2, plane = ph * pw, tiles = rowCount * TilesX;
            float* s = stackalloc float[24 * 16];
            float* q = stackalloc float[32];        // v0 then v1 of one pooled row
            int* offset = stackalloc int[16];
            int* rows = stackalloc int[16];
            int* cols = stackalloc int[16];
            for (int t0 = 0; t0 < tiles; t0 += 16)
            {
                int count = Math.Min(16, tiles - t0);
                for (int lane = 0; lane < count; lane++)
                {
                    int t = t0 + lane, tileRow = row0 + t / TilesX, n = tileRow / TilesY, y = 2 * (tileRow % TilesY), x = 2 * (t % TilesX);
                    offset[lane] = n * oc * plane + y * pw + x;
                    rows[lane] = Math.Clamp(ph - y, 0, 2);
                    cols[lane] = Math.Clamp(pw - x, 0, 2);
                }
                for (int o = OcStart; o < OcEnd; o++)
                {
                    OutputColumns(m + (nint)o * LargePositions * ld + t0, ld, s);
                    float* channel = Output + (nint)o * plane;
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    for (int a = 0; a < 2; a++)
                    {
                        PooledRow(s, a, b, Relu, out var v0, out var v1);
                        Vector512.Store(v0, q);
                        Vector512.Store(v1, q + 16);
                        for (int lane = 0; lane < count; lane++)
                        {
                            if (a >= rows[lane]) continue;
                            float* dst = channel + offset[lane] + a * pw;
                            if (cols[lane] > 0) dst[0] = q[lane];
                            if (cols[lane] > 1) dst[1] = q[16 + lane];
                        }
                    }
                }
            }
        }
    }
}
