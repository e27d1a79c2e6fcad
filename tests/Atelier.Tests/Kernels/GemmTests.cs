using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Tests.Kernels;

[Collection("Workers.ThreadCount")]
public sealed class GemmTests
{
    // Naive reference in double: C = op(A)·op(B) (+ C).
    private static float[] Reference(bool transA, bool transB, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate,
        out double[] magnitude)
    {
        var result = new float[m * n];
        magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = (transA ? a[p * m + i] : a[i * k + p]) * (double)(transB ? b[j * k + p] : b[p * n + j]);
                    sum += x;
                    abs += Math.Abs(x);
                }
                if (accumulate)
                {
                    sum += c[i * n + j];
                    abs += Math.Abs(c[i * n + j]);
                }
                result[i * n + j] = (float)sum;
                magnitude[i * n + j] = abs;
            }
        return result;
    }

    private static float[] Random(Rng rng, int size)
    {
        var x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rng.Uniform(-1, 1);
        return x;
    }

    private static void Check(bool transA, bool transB, int m, int n, int k, bool accumulate, GemmPath path, ulong seed = 1)
    {
        var rng = new Rng(seed + (ulong)(m * 7919 + n * 104729 + k * 31));
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c = Random(rng, m * n);
        if (!accumulate)
            for (int i = 0; i < c.Length; i += 3) c[i] = float.NaN; // garbage must be overwritten, never read
        var expected = Reference(transA, transB, m, n, k, a, b, c, accumulate, out var magnitude);
        Gemm.Multiply(transA, transB, m, n, k, a, b, c, accumulate, path);
        for (int i = 0; i < expected.Length; i++)
        {
            // float32 rounding error grows with the number of terms summed.
            double tolerance = 1e-6 * (k + 4) * (magnitude[i] + 1e-3);
            if (!(Math.Abs(expected[i] - c[i]) <= tolerance))
                Assert.Fail($"{path} transA={transA} transB={transB} m={m} n={n} k={k} accumulate={accumulate}: " +
                            $"C[{i / n}, {i % n}] = {c[i]}, expected {expected[i]} (±{tolerance:g3}).");
        }
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 1, 17, 3 }, { 3, 1, 5 }, { 5, 7, 1 }, { 17, 31, 33 }, { 33, 65, 17 }, { 31, 33, 127 },
        { 65, 127, 3 }, { 8, 32, 256 }, { 9, 33, 257 }, { 127, 65, 300 }, { 200, 70, 40 }, { 1, 300, 520 },
        { 300, 1, 260 }, { 64, 392, 784 }, { 193, 100, 513 }, { 37, 9, 1000 }, { 5, 200, 333 }, { 64, 10, 128 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_reference_for_every_transpose_and_accumulate(int m, int n, int k)
    {
        foreach (var path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar })
        {
            if (!Supported(path)) continue;
            for (int t = 0; t < 4; t++)
                foreach (bool accumulate in new[] { false, true })
                    Check((t & 1) != 0, (t & 2) != 0, m, n, k, accumulate, path);
        }
    }

    [Theory]
    [InlineData(257, 4100, 3)] // crosses the n block (Nc) and the m block (Mc)
    [InlineData(20, 4200, 9)]
    [InlineData(3, 2000, 700)] // dot path split by columns
    [InlineData(70, 11, 3000)] // dot path split by rows, k crossing its slices
    public void Crosses_the_cache_blocks(int m, int n, int k)
    {
        for (int t = 0; t < 4; t++)
            Check((t & 1) != 0, (t & 2) != 0, m, n, k, accumulate: t == 3, Gemm.BestPath);
    }

    [Fact]
    public void Same_bits_on_one_and_two_threads()
    {
        int m = 96, n = 1000, k = 300;
        var rng = new Rng(5);
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var one = new float[m * n];
        var two = new float[m * n];
        int saved = Workers.ThreadCount;
        try
        {
            Workers.ThreadCount = 1;
            Gemm.Multiply(false, true, m, n, k, a, b, one, false);
            Workers.ThreadCount = 2;
            Gemm.Multiply(false, true, m, n, k, a, b, two, false);
        }
        finally
        {
            Workers.ThreadCount = saved;
        }
        Assert.Equal(one, two);
    }

    [Fact]
    public void Zero_k_clears_or_keeps_C()
    {
        var c = new[] { float.NaN, 2f, 3f, 4f };
        Gemm.Multiply(false, false, 2, 2, 0, [], [], c, accumulate: true);
        Assert.Equal(2f, c[1]);
        Gemm.Multiply(false, false, 2, 2, 0, [], [], c, accumulate: false);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void Too_short_buffers_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 2, new float[3], new float[4], new float[4], false));
        Assert.Contains("needs A", ex.Message);
    }

    [Fact]
    public void Warm_calls_allocate_nothing()
    {
        int m = 64, n = 392, k = 784;
        var a = new float[m * k];
        var b = new float[n * k];
        var c = new float[m * n];
        Gemm.Multiply(false, true, m, n, k, a, b, c, false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) Gemm.Multiply(false, true, m, n, k, a, b, c, false);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static bool Supported(GemmPath path) => path switch
    {
        GemmPath.Vector512 => System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
        GemmPath.Vector256 => System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported,
        _ => true,
    };
}
