using System.Runtime.Intrinsics;

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
                // Rows contiguous along k: walk each row once, writing with stride mr.
                for (int r = 0; r < rows; r++)
                {
                    float* s = src + r * rowStride;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++) d[p * mr] = s[p * colStride];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) dst[p * mr + r] = 0;
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
                // Stored transposed ([n, k]): each column j is contiguous along k; write it with stride nr.
                for (int j = 0; j < cols; j++)
                {
                    float* s = src + j * colStride;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = s[p * rowStride];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) dst[p * nr + j] = 0;
            }
        }
    }
}
