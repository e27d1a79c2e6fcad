using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// Copies GEMM operand blocks into the micro-kernels' order: Ã as MR-row panels (kc × MR each), B̃ as NR-column
/// panels (kc × NR each), zero-padded past the matrix edge so every tile runs the full-size kernel.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[i0..i0+mc, p0..p0+kc]; element (i, p) sits at a[i·rowStride + p·colStride].</summary>
    public static void PackA(float* a, nint rowStride, nint colStride, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int q = 0; q < mc; q += mr, dst += (nint)kc * mr)
        {
            int rows = Math.Min(mr, mc - q);
            float* src = a + (i0 + q) * rowStride + p0 * colStride;
            if (rowStride == 1)
            {
                // Stored transposed: each step p is a contiguous run of rows.
                for (int p = 0; p < kc; p++, src += colStride)
                {
                    float* d = dst + p * mr;
                    int r = 0;
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = 0;
                }
            }
            else
            {
                int done = 0;
                if (rows == 8 && mr == 8 && colStride == 1 && Avx.IsSupported)
                {
                    // 8 rows × 8 steps at a time through an in-register transpose.
                    for (; done + 8 <= kc; done += 8) Transpose8x8(src + done, rowStride, dst + done * 8);
                    if (done == kc) continue;
                }
                // Rows contiguous along k: walk each row once, writing with stride mr.
                for (int r = 0; r < rows; r++)
                {
                    float* s = src + r * rowStride;
                    float* d = dst + r;
                    for (int p = done; p < kc; p++) d[p * mr] = s[p * colStride];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = done; p < kc; p++) dst[p * mr + r] = 0;
            }
        }
    }

    /// <summary>Packs op(B)[p0..p0+kc, j0..j0+nc]; element (p, j) sits at b[p·rowStride + j·colStride].</summary>
    public static void PackB(float* b, nint rowStride, nint colStride, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int q = 0; q < nc; q += nr, dst += (nint)kc * nr)
        {
            int cols = Math.Min(nr, nc - q);
            float* src = b + p0 * rowStride + (j0 + q) * colStride;
            if (colStride == 1)
            {
                if (cols == nr && nr == 32 && Vector512.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += rowStride)
                    {
                        Vector512.Load(src).Store(dst + p * 32);
                        Vector512.Load(src + 16).Store(dst + p * 32 + 16);
                    }
                }
                else if (cols == nr && nr == 16 && Vector256.IsHardwareAccelerated)
                {
                    for (int p = 0; p < kc; p++, src += rowStride)
                    {
                        Vector256.Load(src).Store(dst + p * 16);
                        Vector256.Load(src + 8).Store(dst + p * 16 + 8);
                    }
                }
                else if (nr == 32 && Avx512F.IsSupported)
                {
                    // A last, partial panel (one 14x14 image's 16 Winograd tiles): masked loads, the rest zero. The
                    // scalar loop below took 40 us a call of 36 such packs in a 64 -> 64 layer, twice its GEMM.
                    var lo = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols)).AsSingle();
                    var hi = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(cols - 16)).AsSingle();
                    for (int p = 0; p < kc; p++, src += rowStride)
                    {
                        Avx512F.MaskLoad(src, lo, Vector512<float>.Zero).Store(dst + p * 32);
                        Avx512F.MaskLoad(src + 16, hi, Vector512<float>.Zero).Store(dst + p * 32 + 16);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += rowStride)
                    {
                        float* d = dst + p * nr;
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0;
                    }
                }
            }
            else
            {
                int done = 0;
                if (cols == 32 && nr == 32 && rowStride == 1 && Avx512F.IsSupported)
                {
                    // 16 columns × 16 steps at a time through an in-register transpose.
                    for (; done + 16 <= kc; done += 16)
                    {
                        Transpose16x16(src + done, colStride, dst + done * 32, 32);
                        Transpose16x16(src + 16 * colStride + done, colStride, dst + done * 32 + 16, 32);
                    }
                    if (done == kc) continue;
                }
                // Stored transposed ([n, k]): each column j is contiguous along k; write it with stride nr.
                for (int j = 0; j < cols; j++)
                {
                    float* s = src + j * colStride;
                    float* d = dst + j;
                    for (int p = done; p < kc; p++) d[p * nr] = s[p * rowStride];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = done; p < kc; p++) dst[p * nr + j] = 0;
            }
        }
    }

    // dst[q·8 + r] = src[r·srcStride + q] for r, q in [0, 8).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint srcStride, float* dst)
    {
        var r0 = Vector256.Load(src);
        var r1 = Vector256.Load(src + srcStride);
        var r2 = Vector256.Load(src + 2 * srcStride);
        var r3 = Vector256.Load(src + 3 * srcStride);
        var r4 = Vector256.Load(src + 4 * srcStride);
        var r5 = Vector256.Load(src + 5 * srcStride);
        var r6 = Vector256.Load(src + 6 * srcStride);
        var r7 = Vector256.Load(src + 7 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(dst);
        Avx.Permute2x128(s1, s5, 0x20).Store(dst + 8);
        Avx.Permute2x128(s2, s6, 0x20).Store(dst + 16);
        Avx.Permute2x128(s3, s7, 0x20).Store(dst + 24);
        Avx.Permute2x128(s0, s4, 0x31).Store(dst + 32);
        Avx.Permute2x128(s1, s5, 0x31).Store(dst + 40);
        Avx.Permute2x128(s2, s6, 0x31).Store(dst + 48);
        Avx.Permute2x128(s3, s7, 0x31).Store(dst + 56);
    }

    // dst[q·dstStride + r] = src[r·srcStride + q] for r, q in [0, 16).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16x16(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Vector512.Load(src);
        var r1 = Vector512.Load(src + srcStride);
        var r2 = Vector512.Load(src + 2 * srcStride);
        var r3 = Vector512.Load(src + 3 * srcStride);
        var r4 = Vector512.Load(src + 4 * srcStride);
        var r5 = Vector512.Load(src + 5 * srcStride);
        var r6 = Vector512.Load(src + 6 * srcStride);
        var r7 = Vector512.Load(src + 7 * srcStride);
        var r8 = Vector512.Load(src + 8 * srcStride);
        var r9 = Vector512.Load(src + 9 * srcStride);
        var r10 = Vector512.Load(src + 10 * srcStride);
        var r11 = Vector512.Load(src + 11 * srcStride);
        var r12 = Vector512.Load(src + 12 * srcStride);
        var r13 = Vector512.Load(src + 13 * srcStride);
        var r14 = Vector512.Load(src + 14 * srcStride);
        var r15 = Vector512.Load(src + 15 * srcStride);

        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9);
        var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11);
        var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13);
        var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15);
        var t15 = Avx512F.UnpackHigh(r14, r15);

        r0 = Avx512F.Shuffle(t0, t2, 0x44);
        r1 = Avx512F.Shuffle(t0, t2, 0xEE);
        r2 = Avx512F.Shuffle(t1, t3, 0x44);
        r3 = Avx512F.Shuffle(t1, t3, 0xEE);
        r4 = Avx512F.Shuffle(t4, t6, 0x44);
        r5 = Avx512F.Shuffle(t4, t6, 0xEE);
        r6 = Avx512F.Shuffle(t5, t7, 0x44);
        r7 = Avx512F.Shuffle(t5, t7, 0xEE);
        r8 = Avx512F.Shuffle(t8, t10, 0x44);
        r9 = Avx512F.Shuffle(t8, t10, 0xEE);
        r10 = Avx512F.Shuffle(t9, t11, 0x44);
        r11 = Avx512F.Shuffle(t9, t11, 0xEE);
        r12 = Avx512F.Shuffle(t12, t14, 0x44);
        r13 = Avx512F.Shuffle(t12, t14, 0xEE);
        r14 = Avx512F.Shuffle(t13, t15, 0x44);
        r15 = Avx512F.Shuffle(t13, t15, 0xEE);

        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88);
        t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88);
        t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD);
        t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD);
        t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88);
        t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88);
        t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD);
        t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD);
        t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);

        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(dst);
        Avx512F.Shuffle4x128(t1, t9, 0x88).Store(dst + dstStride);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(dst + 2 * dstStride);
        Avx512F.Shuffle4x128(t3, t11, 0x88).Store(dst + 3 * dstStride);
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(dst + 4 * dstStride);
        Avx512F.Shuffle4x128(t5, t13, 0x88).Store(dst + 5 * dstStride);
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(dst + 6 * dstStride);
        Avx512F.Shuffle4x128(t7, t15, 0x88).Store(dst + 7 * dstStride);
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(dst + 8 * dstStride);
        Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(dst + 9 * dstStride);
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(dst + 10 * dstStride);
        Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(dst + 11 * dstStride);
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(dst + 12 * dstStride);
        Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(dst + 13 * dstStride);
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(dst + 14 * dstStride);
        Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(dst + 15 * dstStride);
    }
}
