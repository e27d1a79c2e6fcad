using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// The Winograd transforms for maps of at most 16 columns (8 tiles a row): there a tile row fills half or a quarter
/// of a 16-lane vector, so two or four tile rows (of one image or the next) share each vector. On 14x14 and 7x7 maps
/// that does each transform in half or a quarter of the vector operations the one-row-a-vector code needs. The
/// arithmetic per tile is unchanged, so the results are the same bits.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// How a vector's 16 lanes hold tiles when <see cref="Rows"/> tile rows share it: lane j is tile j % L of the
    /// group's row j / L (L = 16 / Rows). The transformed arrays keep the tiles dense (t = row·TilesX + column), so
    /// lanes are compressed on the way in and expanded on the way out when a row has fewer than L tiles.
    /// </summary>
    private readonly struct RowGroup
    {
        private readonly int tilesX;
        private readonly Vector512<int> compress, expand;

        public RowGroup(int tilesX)
        {
            this.tilesX = tilesX;
            Rows = tilesX > 4 ? 2 : 4;
            Lanes = 16 / Rows;
            Span<int> c = stackalloc int[16], e = stackalloc int[16];
            for (int k = 0; k < 16; k++)
            {
                c[k] = Math.Min(15, k / tilesX * Lanes + k % tilesX);
                e[k] = k % Lanes < tilesX ? k / Lanes * tilesX + k % Lanes : 0;
            }
            compress = Vector512.Create((ReadOnlySpan<int>)c);
            expand = Vector512.Create((ReadOnlySpan<int>)e);
        }

        /// <summary>Tile rows per vector: 2 for rows of 5 to 8 tiles, 4 for rows of at most 4.</summary>
        public int Rows { get; }

        /// <summary>Lanes per tile row.</summary>
        public int Lanes { get; }

        public Vector512<float> ToDense(Vector512<float> v) => tilesX == Lanes ? v : Avx512F.PermuteVar16x32(v, compress);

        /// <summary>Whether a vector read in the dense order needs <see cref="ExpandOrder"/> to hold the group's lanes.</summary>
        public bool Expands => tilesX != Lanes;

        public Vector512<int> ExpandOrder => expand;

        /// <summary>The dense lanes that hold tiles of the group's first <paramref name="rows"/> rows.</summary>
        public Vector512<float> DenseMask(int rows) => Vector512.LessThan(LaneIndex, Vector512.Create(rows * tilesX)).AsSingle();

        // Image columns travel as a pair of registers (32 lanes, the tiles' columns 2·tx and 2·tx + 1 side by side):
        // row k of the group sits at lanes [k·2L, (k + 1)·2L) of the pair (the low register for the first 16), its
        // column 0 at lane Offset(k) of its register.
        public int Offset(int k) => k * 2 * Lanes % 16;

        /// <summary>Row k's lanes whose column (start + lane − Offset(k)) lies in [0, width).</summary>
        public Vector512<float> Columns(int k, int start, int width)
        {
            int off = Offset(k);
            var segment = Vector512.GreaterThanOrEqual(LaneIndex, Vector512.Create(off)) & Vector512.LessThan(LaneIndex, Vector512.Create(off + 2 * Lanes));
            return segment.AsSingle() & Inside(start - off, width);
        }
    }

    // One group's image rows, worked out once for all channels: for each image row that tile row k reads or writes,
    // its offset from the channel's start (less the lane its column 0 sits at, see RowGroup.Offset) and whether it is
    // there at all: a row above or below the image, or of a tile row past the chunk, gets an empty lane mask, and a
    // masked load or store touches nothing.
    private struct GroupRows
    {
        public const int Max = 4 * 4;
        public fixed long Offset[Max];
        public fixed bool Valid[Max];
        private readonly int perTile, groupRows;

        /// <summary>Each row's lane mask: its columns' mask (columns[k] for tile row k), or empty where the row is not read.</summary>
        public readonly void Masks(Vector512<float>* columns, Vector512<float>* mask)
        {
            for (int j = 0; j < groupRows * perTile; j++) mask[j] = Valid[j] ? columns[j / perTile] : default;
        }

        // rows read or written per tile row: 4 input rows (first at 2·ty − padding) or 2 output rows (first at 2·ty).
        public GroupRows(in RowGroup group, int row, int count, int tilesY, long imageFloats, int padding, int perTile, int height, int width, int column0)
        {
            this.perTile = perTile;
            groupRows = group.Rows;
            for (int k = 0; k < group.Rows; k++)
                for (int i = 0; i < perTile; i++)
                {
                    int r = 2 * ((row + k) % tilesY) - padding + i;
                    bool valid = k < count && (uint)r < (uint)height;
                    Valid[k * perTile + i] = valid;
                    Offset[k * perTile + i] = valid ? (row + k) / tilesY * imageFloats + (long)r * width + column0 - group.Offset(k) : 0;
                }
        }
    }

    private partial struct ChunkWork
    {
        // TransformInput for rows of at most 8 tiles: a group of tile rows per vector.
        private readonly void TransformInputGrouped(float* v, nint channelStride, nint positionStride, int row0, int rowCount)
        {
            var g = G;
            int c = g.C, h = g.H, w = g.W, b0 = -g.Padding.Width;
            long plane = (long)h * w;
            var group = new RowGroup(TilesX);
            // Lane masks of row k's input columns from b0 and from b0 + 2 (the tiles' columns 0-1 and 2-3), then per row read.
            var columns0 = stackalloc Vector512<float>[4];
            var columns2 = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++)
            {
                columns0[k] = group.Columns(k, b0, w);
                columns2[k] = group.Columns(k, b0 + 2, w);
            }
            var mask0 = stackalloc Vector512<float>[GroupRows.Max];
            var mask2 = stackalloc Vector512<float>[GroupRows.Max];
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                int count = Math.Min(group.Rows, rowCount - rr);
                var rows = new GroupRows(group, row0 + rr, count, TilesY, c * plane, g.Padding.Height, 4, h, w, b0);
                rows.Masks(columns0, mask0);
                rows.Masks(columns2, mask2);
                var store = group.DenseMask(count);
                for (int ch = 0; ch < c; ch++)
                {
                    float* channel = X + ch * plane;
                    LoadGroup(channel, rows, 0, group.Rows, mask0, mask2, out var d00, out var d01, out var d02, out var d03);
                    LoadGroup(channel, rows, 1, group.Rows, mask0, mask2, out var d10, out var d11, out var d12, out var d13);
                    LoadGroup(channel, rows, 2, group.Rows, mask0, mask2, out var d20, out var d21, out var d22, out var d23);
                    LoadGroup(channel, rows, 3, group.Rows, mask0, mask2, out var d30, out var d31, out var d32, out var d33);
                    // Bᵀ along rows, as TransformInput.
                    var t00 = d00 - d20; var t01 = d01 - d21; var t02 = d02 - d22; var t03 = d03 - d23;
                    var t10 = d10 + d20; var t11 = d11 + d21; var t12 = d12 + d22; var t13 = d13 + d23;
                    var t20 = d20 - d10; var t21 = d21 - d11; var t22 = d22 - d12; var t23 = d23 - d13;
                    var t30 = d10 - d30; var t31 = d11 - d31; var t32 = d12 - d32; var t33 = d13 - d33;
                    float* dst = v + ch * channelStride + rr * TilesX;
                    StoreRowDense(dst, positionStride, 0, store, group, t00, t01, t02, t03);
                    StoreRowDense(dst, positionStride, 1, store, group, t10, t11, t12, t13);
                    StoreRowDense(dst, positionStride, 2, store, group, t20, t21, t22, t23);
                    StoreRowDense(dst, positionStride, 3, store, group, t30, t31, t32, t33);
                }
            }
        }

        // TransformOutput for rows of at most 8 tiles.
        private readonly void TransformOutputGrouped(float* m, int ld, int row0, int rowCount)
        {
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW;
            long plane = (long)oh * ow;
            nint positionStride = ld;
            var group = new RowGroup(TilesX);
            var columns = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++) columns[k] = group.Columns(k, 0, ow);
            var mask = stackalloc Vector512<float>[GroupRows.Max];
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                var rows = new GroupRows(group, row0 + rr, Math.Min(group.Rows, rowCount - rr), TilesY, oc * plane, 0, 2, oh, ow, 0);
                rows.Masks(columns, mask);
                for (int o = OcStart; o < OcEnd; o++)
                {
                    float* src = m + (nint)o * Positions * ld + rr * TilesX;
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    OutputTiles(src, positionStride, group.Expands, group.ExpandOrder, b, Relu, out var y00, out var y01, out var y10, out var y11);
                    // Each pair interleaved is the image rows' columns in the registers' layout (see RowGroup.Offset).
                    var topLo = Avx512F.PermuteVar16x32x2(y00, InterleaveLow, y01);
                    var topHi = Avx512F.PermuteVar16x32x2(y00, InterleaveHigh, y01);
                    var bottomLo = Avx512F.PermuteVar16x32x2(y10, InterleaveLow, y11);
                    var bottomHi = Avx512F.PermuteVar16x32x2(y10, InterleaveHigh, y11);
                    float* channel = Output + o * plane;
                    if (group.Rows == 2)
                    {
                        StoreMasked(channel + rows.Offset[0], mask[0], topLo, Accumulate);
                        StoreMasked(channel + rows.Offset[1], mask[1], bottomLo, Accumulate);
                        StoreMasked(channel + rows.Offset[2], mask[2], topHi, Accumulate);
                        StoreMasked(channel + rows.Offset[3], mask[3], bottomHi, Accumulate);
                    }
                    else
                    {
                        StoreMasked(channel + rows.Offset[0], mask[0], topLo, Accumulate);
                        StoreMasked(channel + rows.Offset[1], mask[1], bottomLo, Accumulate);
                        StoreMasked(channel + rows.Offset[2], mask[2], topLo, Accumulate);
                        StoreMasked(channel + rows.Offset[3], mask[3], bottomLo, Accumulate);
                        StoreMasked(channel + rows.Offset[4], mask[4], topHi, Accumulate);
                        StoreMasked(channel + rows.Offset[5], mask[5], bottomHi, Accumulate);
                        StoreMasked(channel + rows.Offset[6], mask[6], topHi, Accumulate);
                        StoreMasked(channel + rows.Offset[7], mask[7], bottomHi, Accumulate);
                    }
                }
            }
        }

        // Input row i of each of the group's tile rows, as Load does for one: the four tile columns j = 0..3 of 16 tiles.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void LoadGroup(float* channel, in GroupRows rows, int i, int groupRows, Vector512<float>* mask0, Vector512<float>* mask2,
            out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
        {
            Vector512<float> lo0, hi0, lo2, hi2;
            if (groupRows == 2)
            {
                float* p0 = channel + rows.Offset[i], p1 = channel + rows.Offset[4 + i];
                lo0 = Avx512F.MaskLoad(p0, mask0[i], Vector512<float>.Zero);
                lo2 = Avx512F.MaskLoad(p0 + 2, mask2[i], Vector512<float>.Zero);
                hi0 = Avx512F.MaskLoad(p1, mask0[4 + i], Vector512<float>.Zero);
                hi2 = Avx512F.MaskLoad(p1 + 2, mask2[4 + i], Vector512<float>.Zero);
            }
            else
            {
                // Rows 0 and 1 share the low register, 2 and 3 the high one, in disjoint lanes.
                float* p0 = channel + rows.Offset[i], p1 = channel + rows.Offset[4 + i];
                float* p2 = channel + rows.Offset[8 + i], p3 = channel + rows.Offset[12 + i];
                lo0 = Avx512F.MaskLoad(p0, mask0[i], Vector512<float>.Zero) | Avx512F.MaskLoad(p1, mask0[4 + i], Vector512<float>.Zero);
                lo2 = Avx512F.MaskLoad(p0 + 2, mask2[i], Vector512<float>.Zero) | Avx512F.MaskLoad(p1 + 2, mask2[4 + i], Vector512<float>.Zero);
                hi0 = Avx512F.MaskLoad(p2, mask0[8 + i], Vector512<float>.Zero) | Avx512F.MaskLoad(p3, mask0[12 + i], Vector512<float>.Zero);
                hi2 = Avx512F.MaskLoad(p2 + 2, mask2[8 + i], Vector512<float>.Zero) | Avx512F.MaskLoad(p3 + 2, mask2[12 + i], Vector512<float>.Zero);
            }
            d0 = Avx512F.PermuteVar16x32x2(lo0, EvenLanes, hi0);
            d1 = Avx512F.PermuteVar16x32x2(lo0, OddLanes, hi0);
            d2 = Avx512F.PermuteVar16x32x2(lo2, EvenLanes, hi2);
            d3 = Avx512F.PermuteVar16x32x2(lo2, OddLanes, hi2);
        }
    }

    private partial struct WeightWork
    {
        // TransformOutputGradient for rows of at most 8 tiles.
        private readonly void TransformOutputGradientGrouped(float* m, int ld, int row0, int rowCount)
        {
            var g = G;
            int oc = g.OutC, oh = g.OH, ow = g.OW;
            long plane = (long)oh * ow;
            nint positionStride = ld;
            var group = new RowGroup(TilesX);
            var columns = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++) columns[k] = group.Columns(k, 0, ow);
            var mask = stackalloc Vector512<float>[GroupRows.Max];
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                int count = Math.Min(group.Rows, rowCount - rr);
                var rows = new GroupRows(group, row0 + rr, count, TilesY, oc * plane, 0, 2, oh, ow, 0);
                rows.Masks(columns, mask);
                var store = group.DenseMask(count);
                for (int o = 0; o < oc; o++)
                {
                    float* channel = Dy + o * plane;
                    Vector512<float> lo0, hi0, lo1, hi1;
                    if (group.Rows == 2)
                    {
                        lo0 = Avx512F.MaskLoad(channel + rows.Offset[0], mask[0], Vector512<float>.Zero);
                        lo1 = Avx512F.MaskLoad(channel + rows.Offset[1], mask[1], Vector512<float>.Zero);
                        hi0 = Avx512F.MaskLoad(channel + rows.Offset[2], mask[2], Vector512<float>.Zero);
                        hi1 = Avx512F.MaskLoad(channel + rows.Offset[3], mask[3], Vector512<float>.Zero);
                    }
                    else
                    {
                        lo0 = Avx512F.MaskLoad(channel + rows.Offset[0], mask[0], Vector512<float>.Zero) | Avx512F.MaskLoad(channel + rows.Offset[2], mask[2], Vector512<float>.Zero);
                        lo1 = Avx512F.MaskLoad(channel + rows.Offset[1], mask[1], Vector512<float>.Zero) | Avx512F.MaskLoad(channel + rows.Offset[3], mask[3], Vector512<float>.Zero);
                        hi0 = Avx512F.MaskLoad(channel + rows.Offset[4], mask[4], Vector512<float>.Zero) | Avx512F.MaskLoad(channel + rows.Offset[6], mask[6], Vector512<float>.Zero);
                        hi1 = Avx512F.MaskLoad(channel + rows.Offset[5], mask[5], Vector512<float>.Zero) | Avx512F.MaskLoad(channel + rows.Offset[7], mask[7], Vector512<float>.Zero);
                    }
                    var y00 = Avx512F.PermuteVar16x32x2(lo0, EvenLanes, hi0);
                    var y01 = Avx512F.PermuteVar16x32x2(lo0, OddLanes, hi0);
                    var y10 = Avx512F.PermuteVar16x32x2(lo1, EvenLanes, hi1);
                    var y11 = Avx512F.PermuteVar16x32x2(lo1, OddLanes, hi1);
                    // A along rows, then along columns, as TransformOutputGradient.
                    float* dst = m + (nint)o * Positions * ld + rr * TilesX;
                    StoreRowDense(dst, positionStride, 0, store, group, y00, y01);
                    StoreRowDense(dst, positionStride, 1, store, group, y00 + y10, y01 + y11);
                    StoreRowDense(dst, positionStride, 2, store, group, y00 - y10, y01 - y11);
                    StoreRowDense(dst, positionStride, 3, store, group, -y10, -y11);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreRowDense(float* dst, nint positionStride, int i, Vector512<float> store, in RowGroup group, Vector512<float> p0, Vector512<float> p1)
        {
            float* p = dst + 4 * i * positionStride;
            Avx512F.MaskStore(p, store, group.ToDense(p0));
            Avx512F.MaskStore(p + positionStride, store, group.ToDense(p0 + p1));
            Avx512F.MaskStore(p + 2 * positionStride, store, group.ToDense(p0 - p1));
            Avx512F.MaskStore(p + 3 * positionStride, store, group.ToDense(-p1));
        }
    }

    // Row i of V = (Bᵀ d) B, as StoreRow, its lanes compressed to the dense tile order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowDense(float* dst, nint positionStride, int i, Vector512<float> store, in RowGroup group,
        Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3)
    {
        float* p = dst + 4 * i * positionStride;
        Avx512F.MaskStore(p, store, group.ToDense(t0 - t2));
        Avx512F.MaskStore(p + positionStride, store, group.ToDense(t1 + t2));
        Avx512F.MaskStore(p + 2 * positionStride, store, group.ToDense(t2 - t1));
        Avx512F.MaskStore(p + 3 * positionStride, store, group.ToDense(t1 - t3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* dst, Vector512<float> mask, Vector512<float> value, bool accumulate)
    {
        if (accumulate) value += Avx512F.MaskLoad(dst, mask, Vector512<float>.Zero);
        Avx512F.MaskStore(dst, mask, value);
    }
}
