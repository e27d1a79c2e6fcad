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

        public Vector512<float> FromDense(Vector512<float> v) => tilesX == Lanes ? v : Avx512F.PermuteVar16x32(v, expand);

        /// <summary>The dense lanes that hold tiles of the group's first <paramref name="rows"/> rows.</summary>
        public Vector512<float> DenseMask(int rows) => Vector512.LessThan(LaneIndex, Vector512.Create(rows * tilesX)).AsSingle();

        // Image columns travel as a pair of registers (32 lanes, the tiles' columns 2·tx and 2·tx + 1 side by side):
        // row k of the group sits at lanes [k·2L, (k + 1)·2L) of the pair, its column 0 at lane Offset(k) of one register.
        public int Offset(int k) => k * 2 * Lanes % 16;

        public bool InHigh(int k) => k * 2 * Lanes >= 16;

        /// <summary>Row k's lanes whose column (start + lane − Offset(k)) lies in [0, width).</summary>
        public Vector512<float> Columns(int k, int start, int width)
        {
            int off = Offset(k);
            var segment = Vector512.GreaterThanOrEqual(LaneIndex, Vector512.Create(off)) & Vector512.LessThan(LaneIndex, Vector512.Create(off + 2 * Lanes));
            return segment.AsSingle() & Inside(start - off, width);
        }
    }

    // The group's rows: the plane offset of each tile row's image and its first input (or output) row.
    private struct GroupRows
    {
        public int Count;
        public fixed long Image[4];
        public fixed int Top[4];

        public GroupRows(int row, int count, int tilesY, long imageFloats, int padding)
        {
            Count = count;
            for (int k = 0; k < count; k++)
            {
                Image[k] = (row + k) / tilesY * imageFloats;
                Top[k] = 2 * ((row + k) % tilesY) - padding;
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
            var mask0 = stackalloc Vector512<float>[4];
            var mask2 = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++)
            {
                mask0[k] = group.Columns(k, b0, w);
                mask2[k] = group.Columns(k, b0 + 2, w);
            }
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                var rows = new GroupRows(row0 + rr, Math.Min(group.Rows, rowCount - rr), TilesY, c * plane, g.Padding.Height);
                var store = group.DenseMask(rows.Count);
                for (int ch = 0; ch < c; ch++)
                {
                    float* channel = X + ch * plane;
                    LoadGroup(channel, rows, 0, h, w, b0, group, mask0, mask2, out var d00, out var d01, out var d02, out var d03);
                    LoadGroup(channel, rows, 1, h, w, b0, group, mask0, mask2, out var d10, out var d11, out var d12, out var d13);
                    LoadGroup(channel, rows, 2, h, w, b0, group, mask0, mask2, out var d20, out var d21, out var d22, out var d23);
                    LoadGroup(channel, rows, 3, h, w, b0, group, mask0, mask2, out var d30, out var d31, out var d32, out var d33);
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
            var cols = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++) cols[k] = group.Columns(k, 0, ow);
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                var rows = new GroupRows(row0 + rr, Math.Min(group.Rows, rowCount - rr), TilesY, oc * plane, 0);
                for (int o = 0; o < oc; o++)
                {
                    float* src = m + (nint)o * Positions * ld + rr * TilesX;
                    var m00 = group.FromDense(Vector512.Load(src)); var m01 = group.FromDense(Vector512.Load(src + positionStride));
                    var m02 = group.FromDense(Vector512.Load(src + 2 * positionStride)); var m03 = group.FromDense(Vector512.Load(src + 3 * positionStride));
                    var m10 = group.FromDense(Vector512.Load(src + 4 * positionStride)); var m11 = group.FromDense(Vector512.Load(src + 5 * positionStride));
                    var m12 = group.FromDense(Vector512.Load(src + 6 * positionStride)); var m13 = group.FromDense(Vector512.Load(src + 7 * positionStride));
                    var m20 = group.FromDense(Vector512.Load(src + 8 * positionStride)); var m21 = group.FromDense(Vector512.Load(src + 9 * positionStride));
                    var m22 = group.FromDense(Vector512.Load(src + 10 * positionStride)); var m23 = group.FromDense(Vector512.Load(src + 11 * positionStride));
                    var m30 = group.FromDense(Vector512.Load(src + 12 * positionStride)); var m31 = group.FromDense(Vector512.Load(src + 13 * positionStride));
                    var m32 = group.FromDense(Vector512.Load(src + 14 * positionStride)); var m33 = group.FromDense(Vector512.Load(src + 15 * positionStride));
                    // Aᵀ along rows, then along columns, as TransformOutput.
                    var s00 = m00 + m10 + m20; var s01 = m01 + m11 + m21; var s02 = m02 + m12 + m22; var s03 = m03 + m13 + m23;
                    var s10 = m10 - m20 - m30; var s11 = m11 - m21 - m31; var s12 = m12 - m22 - m32; var s13 = m13 - m23 - m33;
                    var b = Bias is null ? Vector512<float>.Zero : Vector512.Create(Bias[o]);
                    var y00 = s00 + s01 + s02 + b; var y01 = s01 - s02 - s03 + b;
                    var y10 = s10 + s11 + s12 + b; var y11 = s11 - s12 - s13 + b;
                    if (Relu)
                    {
                        y00 = Vector512.Max(y00, Vector512<float>.Zero); y01 = Vector512.Max(y01, Vector512<float>.Zero);
                        y10 = Vector512.Max(y10, Vector512<float>.Zero); y11 = Vector512.Max(y11, Vector512<float>.Zero);
                    }
                    // Each pair interleaved is the image rows' columns in the registers' layout (see RowGroup.Offset).
                    var top = (Lo: Avx512F.PermuteVar16x32x2(y00, InterleaveLow, y01), Hi: Avx512F.PermuteVar16x32x2(y00, InterleaveHigh, y01));
                    var bottom = (Lo: Avx512F.PermuteVar16x32x2(y10, InterleaveLow, y11), Hi: Avx512F.PermuteVar16x32x2(y10, InterleaveHigh, y11));
                    for (int k = 0; k < rows.Count; k++)
                    {
                        float* dst = Output + rows.Image[k] + o * plane + (long)rows.Top[k] * ow - group.Offset(k);
                        bool high = group.InHigh(k);
                        StoreMasked(dst, cols[k], high ? top.Hi : top.Lo, Accumulate);
                        if (rows.Top[k] + 1 < oh) StoreMasked(dst + ow, cols[k], high ? bottom.Hi : bottom.Lo, Accumulate);
                    }
                }
            }
        }

        // Input rows top + i of the group's tile rows, as Load does for one: the four tile columns j = 0..3 of 16 tiles.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void LoadGroup(float* channel, in GroupRows rows, int i, int h, int w, int b0, in RowGroup group,
            Vector512<float>* mask0, Vector512<float>* mask2,
            out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3)
        {
            Vector512<float> lo0 = default, hi0 = default, lo2 = default, hi2 = default;
            for (int k = 0; k < rows.Count; k++)
            {
                int r = rows.Top[k] + i;
                if ((uint)r >= (uint)h) continue;
                float* p = channel + rows.Image[k] + (long)r * w + b0 - group.Offset(k);
                var a = Avx512F.MaskLoad(p, mask0[k], Vector512<float>.Zero);
                var e = Avx512F.MaskLoad(p + 2, mask2[k], Vector512<float>.Zero);
                if (group.InHigh(k)) { hi0 |= a; hi2 |= e; }
                else { lo0 |= a; lo2 |= e; }
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
            var cols = stackalloc Vector512<float>[4];
            for (int k = 0; k < group.Rows; k++) cols[k] = group.Columns(k, 0, ow);
            for (int rr = 0; rr < rowCount; rr += group.Rows)
            {
                var rows = new GroupRows(row0 + rr, Math.Min(group.Rows, rowCount - rr), TilesY, oc * plane, 0);
                var store = group.DenseMask(rows.Count);
                for (int o = 0; o < oc; o++)
                {
                    Vector512<float> lo0 = default, hi0 = default, lo1 = default, hi1 = default;
                    for (int k = 0; k < rows.Count; k++)
                    {
                        float* src = Dy + rows.Image[k] + o * plane + (long)rows.Top[k] * ow - group.Offset(k);
                        var a = Avx512F.MaskLoad(src, cols[k], Vector512<float>.Zero);
                        var e = rows.Top[k] + 1 < oh ? Avx512F.MaskLoad(src + ow, cols[k], Vector512<float>.Zero) : Vector512<float>.Zero;
                        if (group.InHigh(k)) { hi0 |= a; hi1 |= e; }
                        else { lo0 |= a; lo1 |= e; }
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
