using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>
/// GEMM register tiles: C[MR, NR] (+)= Ã·B̃ over kc, with Ã packed as kc × MR (MR values per step) and
/// B̃ packed as kc × NR. All accumulators live in registers for the whole kc loop.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    public const int Mr512 = 8, Nr512 = 32;
    public const int Mr256 = 6, Nr256 = 16;

    // 8×32 on AVX-512: 16 accumulators + 2 B vectors + 1 broadcast; 16 FMAs per 10 loads. B̃'s rows are ldb floats
    // apart: Nr512 when packed, more when B is read where it lies (Winograd's V of one image, already in panel order).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x32(int kc, float* a, float* b, float* c, nint ldc, bool add, nint ldb = Nr512)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            ai = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
            c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            ai = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(ai, b0, c70);
            c71 = Avx512F.FusedMultiplyAdd(ai, b1, c71);
            a += Mr512;
            b += ldb;
        }
        Store512(c, c00, c01, add); c += ldc;
        Store512(c, c10, c11, add); c += ldc;
        Store512(c, c20, c21, add); c += ldc;
        Store512(c, c30, c31, add); c += ldc;
        Store512(c, c40, c41, add); c += ldc;
        Store512(c, c50, c51, add); c += ldc;
        Store512(c, c60, c61, add); c += ldc;
        Store512(c, c70, c71, add);
    }

    /// <summary>
    /// The left 16 columns of <see cref="Tile8x32"/> (B̃'s rows still ldb apart), summed in the same order: for a last panel
    /// of at most 16 columns, such as one 14x14 image's 16 Winograd tiles, which the full tile would multiply twice over.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x16(int kc, float* a, float* b, float* c, nint ldc, bool add, nint ldb = Nr512)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var ai = Vector512.Create(a[0]);
            c0 = Avx512F.FusedMultiplyAdd(ai, b0, c0);
            ai = Vector512.Create(a[1]);
            c1 = Avx512F.FusedMultiplyAdd(ai, b0, c1);
            ai = Vector512.Create(a[2]);
            c2 = Avx512F.FusedMultiplyAdd(ai, b0, c2);
            ai = Vector512.Create(a[3]);
            c3 = Avx512F.FusedMultiplyAdd(ai, b0, c3);
            ai = Vector512.Create(a[4]);
            c4 = Avx512F.FusedMultiplyAdd(ai, b0, c4);
            ai = Vector512.Create(a[5]);
            c5 = Avx512F.FusedMultiplyAdd(ai, b0, c5);
            ai = Vector512.Create(a[6]);
            c6 = Avx512F.FusedMultiplyAdd(ai, b0, c6);
            ai = Vector512.Create(a[7]);
            c7 = Avx512F.FusedMultiplyAdd(ai, b0, c7);
            a += Mr512;
            b += ldb;
        }
        Store512(c + 0 * ldc, c0, add);
        Store512(c + 1 * ldc, c1, add);
        Store512(c + 2 * ldc, c2, add);
        Store512(c + 3 * ldc, c3, add);
        Store512(c + 4 * ldc, c4, add);
        Store512(c + 5 * ldc, c5, add);
        Store512(c + 6 * ldc, c6, add);
        Store512(c + 7 * ldc, c7, add);
    }

    /// <summary>
    /// The first <paramref name="rows"/> (1 to 7) rows of <see cref="Tile8x32"/>, for the last panel of a GEMM whose m is
    /// not a multiple of 8 (9 pixels of a 3x3 map: the full tile would double the work). Ã is still packed 8 wide.
    /// The same summation order as the full tile, so a row's result does not depend on which tile computed it.
    /// </summary>
    public static void TileRows8x32(int rows, int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        switch (rows)
        {
            case 1: Rows8x32<Rows1>(kc, a, b, c, ldc, add); break;
            case 2: Rows8x32<Rows2>(kc, a, b, c, ldc, add); break;
            case 3: Rows8x32<Rows3>(kc, a, b, c, ldc, add); break;
            case 4: Rows8x32<Rows4>(kc, a, b, c, ldc, add); break;
            case 5: Rows8x32<Rows5>(kc, a, b, c, ldc, add); break;
            case 6: Rows8x32<Rows6>(kc, a, b, c, ldc, add); break;
            case 7: Rows8x32<Rows7>(kc, a, b, c, ldc, add); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A partial tile has 1 to 7 rows.");
        }
    }

    // The row count as a type, so each instantiation is compiled with its unused rows' code removed.
    private interface IRowCount
    {
        static abstract int Count { get; }
    }

    private struct Rows1 : IRowCount { public static int Count => 1; }
    private struct Rows2 : IRowCount { public static int Count => 2; }
    private struct Rows3 : IRowCount { public static int Count => 3; }
    private struct Rows4 : IRowCount { public static int Count => 4; }
    private struct Rows5 : IRowCount { public static int Count => 5; }
    private struct Rows6 : IRowCount { public static int Count => 6; }
    private struct Rows7 : IRowCount { public static int Count => 7; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows8x32<TRows>(int kc, float* a, float* b, float* c, nint ldc, bool add) where TRows : struct, IRowCount
    {
        int rows = TRows.Count;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(ai, b1, c01);
            if (rows > 1)
            {
                ai = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(ai, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(ai, b1, c11);
            }
            if (rows > 2)
            {
                ai = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(ai, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(ai, b1, c21);
            }
            if (rows > 3)
            {
                ai = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(ai, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(ai, b1, c31);
            }
            if (rows > 4)
            {
                ai = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(ai, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(ai, b1, c41);
            }
            if (rows > 5)
            {
                ai = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(ai, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(ai, b1, c51);
            }
            if (rows > 6)
            {
                ai = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(ai, b0, c60);
                c61 = Avx512F.FusedMultiplyAdd(ai, b1, c61);
            }
            a += Mr512;
            b += Nr512;
        }
        Store512(c, c00, c01, add);
        if (rows > 1) Store512(c + ldc, c10, c11, add);
        if (rows > 2) Store512(c + 2 * ldc, c20, c21, add);
        if (rows > 3) Store512(c + 3 * ldc, c30, c31, add);
        if (rows > 4) Store512(c + 4 * ldc, c40, c41, add);
        if (rows > 5) Store512(c + 5 * ldc, c50, c51, add);
        if (rows > 6) Store512(c + 6 * ldc, c60, c61, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v, bool add)
    {
        if (add) v += Vector512.Load(c);
        v.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> lo, Vector512<float> hi, bool add)
    {
        if (add)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + 16);
        }
        lo.Store(c);
        hi.Store(c + 16);
    }

    // 6×16 on AVX2/FMA: 12 accumulators + 2 B vectors + 1 broadcast fit the 16 ymm registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16(int kc, float* a, float* b, float* c, nint ldc, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var ai = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ai, b0, c00);
            c01 = Fma.MultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ai, b0, c10);
            c11 = Fma.MultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ai, b0, c20);
            c21 = Fma.MultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ai, b0, c30);
            c31 = Fma.MultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ai, b0, c40);
            c41 = Fma.MultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ai, b0, c50);
            c51 = Fma.MultiplyAdd(ai, b1, c51);
            a += Mr256;
            b += Nr256;
        }
        Store256(c, c00, c01, add); c += ldc;
        Store256(c, c10, c11, add); c += ldc;
        Store256(c, c20, c21, add); c += ldc;
        Store256(c, c30, c31, add); c += ldc;
        Store256(c, c40, c41, add); c += ldc;
        Store256(c, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> lo, Vector256<float> hi, bool add)
    {
        if (add)
        {
            lo += Vector256.Load(c);
            hi += Vector256.Load(c + 8);
        }
        lo.Store(c);
        hi.Store(c + 8);
    }
}
