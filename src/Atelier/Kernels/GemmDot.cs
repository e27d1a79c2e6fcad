using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// C = A·Bᵀ as dot products along k, for outputs too narrow to fill a register tile (n or m below the tile) while k
/// is long (e.g. a 3×3 convolution's weight gradient): both operands are read in place, no packing.
/// </summary>
internal static unsafe class GemmDot
{
    // k is walked in slices so the A and B rows of a slice stay in L2 while every block re-reads them.
    private const int KSlice = 1024;

    /// <summary>C[i0..i1, j0..j1] (+)= A[i, :]·B[j, :] with A [m, k], B [n, k] and C [m, n] row-major.</summary>
    public static void Block(float* a, float* b, float* c, int n, int k, int i0, int i1, int j0, int j1, bool accumulate)
    {
        for (int p0 = 0; p0 < k; p0 += KSlice)
        {
            int len = Math.Min(KSlice, k - p0);
            bool add = accumulate || p0 > 0;
            float* ap = a + p0, bp = b + p0;
            int i = i0;
            for (; i + 4 <= i1; i += 4)
            {
                int j = j0;
                for (; j + 3 <= j1; j += 3)
                    Block4x3(ap + (nint)i * k, bp + (nint)j * k, c + (nint)i * n + j, n, k, len, add);
                for (; j < j1; j++)
                    for (int r = 0; r < 4; r++)
                        Single(ap + (nint)(i + r) * k, bp + (nint)j * k, c + (nint)(i + r) * n + j, len, add);
            }
            for (; i < i1; i++)
                for (int j = j0; j < j1; j++) Single(ap + (nint)i * k, bp + (nint)j * k, c + (nint)i * n + j, len, add);
        }
    }

    // 4 rows of A × 3 rows of B: 12 accumulators, 7 loads per 12 FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x3(float* a, float* b, float* c, nint ldc, nint stride, int k, bool accumulate)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        float* a1 = a + stride, a2 = a + 2 * stride, a3 = a + 3 * stride, b1 = b + stride, b2 = b + 2 * stride;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var y0 = Vector512.Load(b + p);
            var y1 = Vector512.Load(b1 + p);
            var y2 = Vector512.Load(b2 + p);
            var x = Vector512.Load(a + p);
            s00 = Avx512F.FusedMultiplyAdd(x, y0, s00);
            s01 = Avx512F.FusedMultiplyAdd(x, y1, s01);
            s02 = Avx512F.FusedMultiplyAdd(x, y2, s02);
            x = Vector512.Load(a1 + p);
            s10 = Avx512F.FusedMultiplyAdd(x, y0, s10);
            s11 = Avx512F.FusedMultiplyAdd(x, y1, s11);
            s12 = Avx512F.FusedMultiplyAdd(x, y2, s12);
            x = Vector512.Load(a2 + p);
            s20 = Avx512F.FusedMultiplyAdd(x, y0, s20);
            s21 = Avx512F.FusedMultiplyAdd(x, y1, s21);
            s22 = Avx512F.FusedMultiplyAdd(x, y2, s22);
            x = Vector512.Load(a3 + p);
            s30 = Avx512F.FusedMultiplyAdd(x, y0, s30);
            s31 = Avx512F.FusedMultiplyAdd(x, y1, s31);
            s32 = Avx512F.FusedMultiplyAdd(x, y2, s32);
        }
        Finish(c, Vector512.Sum(s00), a, b, p, k, accumulate);
        Finish(c + 1, Vector512.Sum(s01), a, b1, p, k, accumulate);
        Finish(c + 2, Vector512.Sum(s02), a, b2, p, k, accumulate);
        Finish(c + ldc, Vector512.Sum(s10), a1, b, p, k, accumulate);
        Finish(c + ldc + 1, Vector512.Sum(s11), a1, b1, p, k, accumulate);
        Finish(c + ldc + 2, Vector512.Sum(s12), a1, b2, p, k, accumulate);
        Finish(c + 2 * ldc, Vector512.Sum(s20), a2, b, p, k, accumulate);
        Finish(c + 2 * ldc + 1, Vector512.Sum(s21), a2, b1, p, k, accumulate);
        Finish(c + 2 * ldc + 2, Vector512.Sum(s22), a2, b2, p, k, accumulate);
        Finish(c + 3 * ldc, Vector512.Sum(s30), a3, b, p, k, accumulate);
        Finish(c + 3 * ldc + 1, Vector512.Sum(s31), a3, b1, p, k, accumulate);
        Finish(c + 3 * ldc + 2, Vector512.Sum(s32), a3, b2, p, k, accumulate);
    }

    private static void Single(float* a, float* b, float* c, int k, bool accumulate)
    {
        Vector512<float> s0 = default, s1 = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s0);
            s1 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p + 16), Vector512.Load(b + p + 16), s1);
        }
        for (; p + 16 <= k; p += 16)
            s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), s0);
        Finish(c, Vector512.Sum(s0 + s1), a, b, p, k, accumulate);
    }

    // Adds the k tail past the last full vector, then stores or accumulates.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* c, float sum, float* a, float* b, int p, int k, bool accumulate)
    {
        for (; p < k; p++) sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        *c = accumulate ? *c + sum : sum;
    }
}
