namespace Atelier.Kernels;

/// <summary>
/// A GEMM's right operand B [k, n] packed once into the micro-kernel's panels, for many products with different left
/// operands: a frozen layer's weights (inference), whose packing would otherwise be redone, and re-read from memory, on
/// every call. Layout: for each k block of <see cref="Gemm.Kc"/> rows starting at pc, the n columns as NR-wide panels
/// (kc × NR each, zero past n), so the panel of column j (a multiple of NR) in block pc sits at pc·Width + j·kc.
/// </summary>
public sealed unsafe class GemmPackedRight
{
    private readonly float[] buffer;

    /// <summary>Packs op(B): B stored [k, n], or Bᵀ stored [n, k] when <paramref name="transB"/>.</summary>
    public GemmPackedRight(bool transB, int k, int n, ReadOnlySpan<float> b)
    {
        if (Gemm.BestPath == GemmPath.Scalar) throw new PlatformNotSupportedException("Packed GEMM operands need AVX2 and FMA.");
        if (k <= 0 || n <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"A packed operand needs positive sizes, got k={k}, n={n}.");
        if ((long)k * n > b.Length) throw new ArgumentException($"B of {k} x {n} needs {(long)k * n} floats, got {b.Length}.", nameof(b));
        (K, N, Path) = (k, n, Gemm.BestPath);
        int nr = Gemm.TileShape(Path).Nr;
        Width = (n + nr - 1) / nr * nr;
        buffer = GC.AllocateUninitializedArray<float>(k * Width + 16, pinned: true);
        fixed (float* p = buffer) Pointer = (float*)(((nint)p + 63) & ~(nint)63);
        nint rowStride = transB ? 1 : n, colStride = transB ? k : 1;
        fixed (float* pb = b)
            for (int pc = 0; pc < k; pc += Gemm.Kc)
                GemmPacking.PackB(pb, rowStride, colStride, pc, Math.Min(Gemm.Kc, k - pc), 0, n, nr, Pointer + (nint)pc * Width);
    }

    public int K { get; }
    public int N { get; }

    /// <summary>n rounded up to whole panels.</summary>
    internal int Width { get; }

    /// <summary>The micro-kernel the panels were packed for.</summary>
    internal GemmPath Path { get; }

    internal float* Pointer { get; }
}
