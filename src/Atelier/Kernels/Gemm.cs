using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Kernels;

/// <summary>Which GEMM implementation runs: chosen once at startup from the CPU's instruction sets.</summary>
internal enum GemmPath
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// Single-precision matrix multiply on row-major matrices:
/// C[m, n] = op(A)[m, k] · op(B)[k, n] (+ C when <c>accumulate</c>).
/// op(A) = A stored [m, k], or Aᵀ with A stored [k, m] when transA; likewise B ([k, n], or [n, k] when transB).
/// </summary>
/// <remarks>
/// Goto/BLIS scheme: B is packed in kc × nc blocks, A in mc × kc blocks, and a register-tiled micro-kernel sweeps
/// the packed panels; large problems are split along n (or m) across <see cref="Workers"/>. Each element of C is
/// summed in the same order whatever the split, so results do not depend on the thread count.
/// </remarks>
public static unsafe class Gemm
{
    // Blocking for a 48 KB L1d / 1–2 MB L2 core: a kc × NR panel of B̃ (32 KB) stays in L1 while Ã (mc × kc,
    // 192 KB) streams from L2; B̃ (kc × nc, up to 4 MB) lives in L2/L3.
    internal const int Kc = 256, Mc = 192, Nc = 4096;

    // Below this many multiply-adds the packing overhead is not worth it.
    private const long DirectLimit = 16 * 1024;

    // Below this many multiply-adds a second thread costs more than it saves.
    private const long ParallelLimit = 256 * 1024;

    /// <summary>
    /// A product too narrow for the 8x32 register tile (fewer than 8 rows or 32 columns), which A·Bᵀ with a long k
    /// computes as dot products straight off B's rows, without packing it.
    /// </summary>
    internal static bool IsNarrow(int m, int n) => n < 32 || m < 8;

    // Dot products (one image through a linear layer) read each weight once and stream from cache, so a second core
    // pays sooner: one image through mlp-deep (784 -> 256 first) took 0.022 ms with the limit above, 0.016 with this.
    private const long DotParallelLimit = 64 * 1024;

    internal static readonly GemmPath BestPath =
        Avx512F.IsSupported ? GemmPath.Vector512 :
        Fma.IsSupported && Avx2.IsSupported ? GemmPath.Vector256 :
        GemmPath.Scalar;

    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        => Multiply(transA, transB, m, n, k, a, b, c, accumulate, BestPath);

    internal static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmPath path)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative (m={m}, n={n}, k={k}).");
        if ((long)m * k > a.Length || (long)k * n > b.Length || (long)m * n > c.Length)
            throw new ArgumentException(
                $"GEMM of m={m}, n={n}, k={k} needs A ≥ {(long)m * k}, B ≥ {(long)k * n} and C ≥ {(long)m * n} floats; " +
                $"got {a.Length}, {b.Length} and {c.Length}.");
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            var job = new GemmJob
            {
                A = pa,
                ARowStride = transA ? 1 : k,
                AColStride = transA ? m : 1,
                B = pb,
                BRowStride = transB ? 1 : n,
                BColStride = transB ? k : 1,
                C = pc,
                M = m,
                N = n,
                K = k,
                Accumulate = accumulate,
                Path = path,
            };
            long macs = (long)m * n * k;
            if (path == GemmPath.Scalar || macs <= DirectLimit)
            {
                Direct(in job);
                return;
            }
            // A·Bᵀ with a narrow output and a long k: dot products beat a mostly empty register tile.
            job.Dot = path == GemmPath.Vector512 && !transA && transB && IsNarrow(m, n) && k >= 64;
            int threads = Workers.ThreadCount;
            if (threads <= 1 || macs < (job.Dot ? DotParallelLimit : ParallelLimit) || Workers.IsInsideWorker)
            {
                job.Run(0, m, 0, n);
                return;
            }
            job.Plan(threads);
            Workers.For(job.Units, ref job, job.Chunks);
        }
    }

    /// <summary>
    /// C[m, n] (+)= op(A)[m, k] · B[k, n] with B packed once (<see cref="GemmPackedRight"/>): only A is packed per call,
    /// so each thread re-reads the panels from cache instead of packing B again. The same summation order as
    /// <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>'s
    /// register tiles, so results do not depend on the thread count.
    /// </summary>
    public static void Multiply(bool transA, int m, ReadOnlySpan<float> a, GemmPackedRight b, Span<float> c, bool accumulate)
    {
        int n = b.N, k = b.K;
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must not be negative (m={m}).");
        if ((long)m * k > a.Length || (long)m * n > c.Length)
            throw new ArgumentException($"GEMM of m={m}, n={n}, k={k} needs A ≥ {(long)m * k} and C ≥ {(long)m * n} floats; got {a.Length} and {c.Length}.");
        if (m == 0) return;
        fixed (float* pa = a, pc = c)
        {
            var job = new GemmJob
            {
                A = pa,
                ARowStride = transA ? 1 : k,
                AColStride = transA ? m : 1,
                PackedRight = b.Pointer,
                PackedRightWidth = b.Width,
                C = pc,
                M = m,
                N = n,
                K = k,
                Accumulate = accumulate,
                Path = b.Path,
            };
            int threads = Workers.ThreadCount;
            if (threads <= 1 || (long)m * n * k < ParallelLimit || Workers.IsInsideWorker)
            {
                job.Run(0, m, 0, n);
                return;
            }
            job.Plan(threads);
            Workers.For(job.Units, ref job, job.Chunks);
        }
    }

    // Plain triple loop for tiny problems and CPUs without SIMD; same summation order as the tiles (p ascending).
    private static void Direct(in GemmJob job)
    {
        for (int i = 0; i < job.M; i++)
        {
            float* crow = job.C + (nint)i * job.N;
            float* arow = job.A + i * job.ARowStride;
            for (int j = 0; j < job.N; j++)
            {
                float* bcol = job.B + j * job.BColStride;
                float sum = 0;
                for (int p = 0; p < job.K; p++)
                    sum = MathF.FusedMultiplyAdd(arow[p * job.AColStride], bcol[p * job.BRowStride], sum);
                crow[j] = job.Accumulate ? crow[j] + sum : sum;
            }
        }
    }

    /// <summary>One GEMM call: operands as pointer + strides, and the split of C across threads.</summary>
    private struct GemmJob : IWorkItem
    {
        public float* A, B, C;
        public nint ARowStride, AColStride, BRowStride, BColStride;

        // B already packed (GemmPackedRight) instead of B and its strides: its panels are read in place.
        public float* PackedRight;
        public int PackedRightWidth;
        public int M, N, K;
        public bool Accumulate, Dot;
        public GemmPath Path;

        // Parallel plan: C is cut along n (or m) into Units tile-aligned stripes of UnitSize, handed out in Chunks.
        public bool SplitN;
        public int Units, UnitSize, Chunks;

        public void Plan(int threads)
        {
            var (mr, nr) = TileShape(Path);
            if (Dot)
            {
                // Stripes of whole dot blocks (4 rows or 3 columns), one per thread.
                SplitN = M < 8 * threads;
                int block = SplitN ? 3 : 4, extentDot = SplitN ? N : M;
                UnitSize = (extentDot + block * threads - 1) / (block * threads) * block;
                Units = (extentDot + UnitSize - 1) / UnitSize;
                Chunks = Units;
                return;
            }
            // Split the longer side: each thread re-packs the whole other operand, which costs 1/(that side) of the work.
            // With B packed, a split along m re-reads B's panels (no packing) and one along n re-packs all of A: n is split
            // only when m is the shorter side or too short to give each thread a tile.
            SplitN = PackedRight != null ? M / mr < threads || N >= M : N / nr >= M / mr;
            int tile = SplitN ? nr : mr;
            int extent = SplitN ? N : M;
            int tiles = (extent + tile - 1) / tile;
            // Each stripe re-packs the other operand, so stripes stay wide (≥ 512 columns or 256 rows to amortize it);
            // up to three per thread so a core busy with something else does not hold up the other.
            int minTiles = SplitN ? 512 / nr : 256 / mr;
            int units = Math.Clamp(tiles / minTiles, threads, threads * 3);
            units = Math.Min(units, tiles);
            UnitSize = (tiles + units - 1) / units * tile;
            Units = (extent + UnitSize - 1) / UnitSize;
            Chunks = Units;
        }

        public void Run(int start, int end)
        {
            int extent = SplitN ? N : M;
            int lo = start * UnitSize, hi = Math.Min(extent, end * UnitSize);
            if (SplitN) Run(0, M, lo, hi);
            else Run(lo, hi, 0, N);
        }

        public readonly void Run(int i0, int i1, int j0, int j1)
        {
            if (Dot) GemmDot.Block(A, B, C, N, K, i0, i1, j0, j1, Accumulate);
            else Blocked(i0, i1, j0, j1);
        }

        /// <summary>Computes the block C[i0..i1, j0..j1] on the calling thread.</summary>
        public readonly void Blocked(int i0, int i1, int j0, int j1)
        {
            var (mr, nr) = TileShape(Path);
            var scratch = GemmScratch.ForThisThread();
            int mcMax = Math.Min(Mc, i1 - i0), ncMax = Math.Min(Nc, j1 - j0), kcMax = Math.Min(Kc, K);
            bool packed = PackedRight != null;
            scratch.Reserve((mcMax + mr - 1) / mr * mr * kcMax, packed ? 0 : (ncMax + nr - 1) / nr * nr * kcMax, mr * nr);
            float* packedA = scratch.A, packedB = scratch.B, tile = scratch.Tile;
            nint ldc = N;
            for (int jc = j0; jc < j1; jc += Nc)
            {
                int nc = Math.Min(Nc, j1 - jc);
                for (int pc = 0; pc < K; pc += Kc)
                {
                    int kc = Math.Min(Kc, K - pc);
                    bool add = Accumulate || pc > 0;
                    if (packed) packedB = PackedRight + (nint)pc * PackedRightWidth + (nint)jc * kc;
                    else GemmPacking.PackB(B, BRowStride, BColStride, pc, kc, jc, nc, nr, packedB);
                    for (int ic = i0; ic < i1; ic += Mc)
                    {
                        int mc = Math.Min(Mc, i1 - ic);
                        GemmPacking.PackA(A, ARowStride, AColStride, ic, mc, pc, kc, mr, packedA);
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int cols = Math.Min(nr, nc - jr);
                            float* pb = packedB + (nint)jr * kc;
                            for (int ir = 0; ir < mc; ir += mr)
                            {
                                int rows = Math.Min(mr, mc - ir);
                                float* pa = packedA + (nint)ir * kc;
                                float* c = C + (ic + ir) * ldc + jc + jr;
                                if (rows == mr && cols == nr)
                                {
                                    Tile(kc, pa, pb, c, ldc, add);
                                }
                                else if (cols == nr && Path == GemmPath.Vector512)
                                {
                                    GemmMicroKernels.TileRows8x32(rows, kc, pa, pb, c, ldc, add);
                                }
                                else
                                {
                                    Tile(kc, pa, pb, tile, nr, false);
                                    MergeEdge(tile, nr, c, ldc, rows, cols, add);
                                }
                            }
                        }
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Tile(int kc, float* pa, float* pb, float* c, nint ldc, bool add)
        {
            if (Path == GemmPath.Vector512) GemmMicroKernels.Tile8x32(kc, pa, pb, c, ldc, add);
            else GemmMicroKernels.Tile6x16(kc, pa, pb, c, ldc, add);
        }
    }

    private static void MergeEdge(float* tile, nint ldt, float* c, nint ldc, int rows, int cols, bool add)
    {
        for (int r = 0; r < rows; r++, tile += ldt, c += ldc)
        {
            if (add) for (int j = 0; j < cols; j++) c[j] += tile[j];
            else for (int j = 0; j < cols; j++) c[j] = tile[j];
        }
    }

    internal static (int Mr, int Nr) TileShape(GemmPath path) => path == GemmPath.Vector512
        ? (GemmMicroKernels.Mr512, GemmMicroKernels.Nr512)
        : (GemmMicroKernels.Mr256, GemmMicroKernels.Nr256);
}
