using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// The 16 tiles of a vector read without gathers, for F(4x4, 3x3) on maps whose tile rows do not share vectors (at most
/// 8 or more than 28 outputs wide): each lane's window row is one masked load of 8 floats (zero outside the image), and
/// the 16 rows are transposed in registers, so vector j holds column j of every lane's window. AVX2 gathers did the same
/// with two 8-lane gathers per window element; on the Ice Lake VM (microcode that slows gathers, Gather Data Sampling)
/// each took about 80 cycles, and the input transform of the 256 -> 256 layers on 3x3 maps took a fifth of their
/// forward pass. A row costs 16 masked loads and 30 shuffles instead.
/// </summary>
internal static unsafe partial class WinogradConvolution
{
    /// <summary>
    /// Where the windows of tiles t0 .. t0 + 15 lie: for window row i and lane L, offsets[16i + L] is the offset (floats,
    /// from the first channel's plane) of the row's first element, (4·ty + rowFrom + i, 4·tx + colFrom) of the lane's
    /// image, and masks[16i + L] the row's elements inside the image among the first <paramref name="cols"/>; lanes past
    /// count read nothing.
    /// </summary>
    private static void WindowLanes(int t0, int count, int row0, int tilesX, int tilesY, nint imageFloats, int h, int w,
        int rowFrom, int colFrom, int rows, int cols, nint* offsets, Vector256<float>* masks)
    {
        var lane8 = Vector256<int>.Indices;
        for (int lane = 0; lane < 16; lane++)
        {
            int t = t0 + lane, tileRow = row0 + t / tilesX, image = tileRow / tilesY;
            int top = 4 * (tileRow % tilesY) + rowFrom, left = 4 * (t % tilesX) + colFrom;
            var column = lane8 + Vector256.Create(left);
            var inside = (Vector256.GreaterThanOrEqual(column, Vector256<int>.Zero) & Vector256.LessThan(column, Vector256.Create(w))
                & Vector256.LessThan(lane8, Vector256.Create(cols))).AsSingle();
            for (int i = 0; i < rows; i++)
            {
                int y = top + i;
                bool read = lane < count && (uint)y < (uint)h;
                offsets[i * 16 + lane] = read ? image * imageFloats + (nint)y * w + left : 0;
                masks[i * 16 + lane] = read ? inside : Vector256<float>.Zero;
            }
        }
    }

    /// <summary>Window row i of the 16 lanes (see <see cref="WindowLanes"/>) in <paramref name="plane"/>, transposed: c_j[L] is lane L's element j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WindowRow(float* plane, nint* offsets, Vector256<float>* masks, out Vector512<float> c0, out Vector512<float> c1,
        out Vector512<float> c2, out Vector512<float> c3, out Vector512<float> c4, out Vector512<float> c5)
    {
        // z_k holds lane k's row in its low half and lane k + 8's in its high half; 128-bit block b of z_k is elements
        // 4(b mod 2) .. 4(b mod 2) + 3 of lane k + 8(b div 2).
        var z0 = Row(plane, offsets, masks, 0); var z1 = Row(plane, offsets, masks, 1);
        var z2 = Row(plane, offsets, masks, 2); var z3 = Row(plane, offsets, masks, 3);
        var z4 = Row(plane, offsets, masks, 4); var z5 = Row(plane, offsets, masks, 5);
        var z6 = Row(plane, offsets, masks, 6); var z7 = Row(plane, offsets, masks, 7);
        // 4x4 transposes inside each 128-bit block: s_e's block b holds element e (or e + 4 in odd blocks) of lanes
        // 0-3 (s0-s3, from z0-z3) or 4-7 (s4-s7), plus 8 in the high half.
        var t0 = Avx512F.UnpackLow(z0, z1); var t1 = Avx512F.UnpackHigh(z0, z1);
        var t2 = Avx512F.UnpackLow(z2, z3); var t3 = Avx512F.UnpackHigh(z2, z3);
        var t4 = Avx512F.UnpackLow(z4, z5); var t5 = Avx512F.UnpackHigh(z4, z5);
        var t6 = Avx512F.UnpackLow(z6, z7); var t7 = Avx512F.UnpackHigh(z6, z7);
        var s0 = Avx512F.Shuffle(t0, t2, 0x44); var s1 = Avx512F.Shuffle(t0, t2, 0xEE);
        var s2 = Avx512F.Shuffle(t1, t3, 0x44); var s3 = Avx512F.Shuffle(t1, t3, 0xEE);
        var s4 = Avx512F.Shuffle(t4, t6, 0x44); var s5 = Avx512F.Shuffle(t4, t6, 0xEE);
        var s6 = Avx512F.Shuffle(t5, t7, 0x44); var s7 = Avx512F.Shuffle(t5, t7, 0xEE);
        // Element e of lanes 0-3, 4-7, 8-11, 12-15: blocks 0 of s_e and s_e+4, then their blocks 2 (odd blocks for e + 4).
        c0 = Avx512F.PermuteVar16x32x2(s0, EvenBlocks, s4);
        c1 = Avx512F.PermuteVar16x32x2(s1, EvenBlocks, s5);
        c2 = Avx512F.PermuteVar16x32x2(s2, EvenBlocks, s6);
        c3 = Avx512F.PermuteVar16x32x2(s3, EvenBlocks, s7);
        c4 = Avx512F.PermuteVar16x32x2(s0, OddBlocks, s4);
        c5 = Avx512F.PermuteVar16x32x2(s1, OddBlocks, s5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* plane, nint* offsets, Vector256<float>* masks, int k) =>
        Vector512.Create(Avx.MaskLoad(plane + offsets[k], masks[k]), Avx.MaskLoad(plane + offsets[k + 8], masks[k + 8]));

    private static readonly Vector512<int> EvenBlocks = Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    private static readonly Vector512<int> OddBlocks = Vector512.Create(4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
}
