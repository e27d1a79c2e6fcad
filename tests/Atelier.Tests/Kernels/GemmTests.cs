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

    [Theory]
    [InlineData(1, 32, 5)]
    [InlineData(9, 256, 2304)] // resnet9's 3x3 maps: a full and a one-row tile, k over 9 blocks
    [InlineData(7, 33, 300)]
    [InlineData(49, 72, 257)]
    [InlineData(196, 128, 576)]
    [InlineData(3, 1, 40)]
    public void A_packed_right_operand_matches_the_reference(int m, int n, int k)
    {
        if (Gemm.BestPath == GemmPath.Scalar) return;
        var rng = new Rng((ulong)(m * 31 + n * 7 + k));
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        foreach (bool transA in (bool[])[false, true])
        foreach (bool transB in (bool[])[false, true])
        foreach (bool accumulate in (bool[])[false, true])
        {
            var c = Random(rng, m * n);
            var expected = Reference(transA, transB, m, n, k, a, b, c, accumulate, out var magnitude);
            var packed = new GemmPackedRight(transB, k, n, b);
            Gemm.Multiply(transA, m, a, packed, c, accumulate);
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = 1e-6 * (k + 4) * (magnitude[i] + 1e-3);
                if (!(Math.Abs(expected[i] - c[i]) <= tolerance))
                    Assert.Fail($"packed transA={transA} transB={transB} m={m} n={n} k={k} accumulate={accumulate}: C[{i / n}, {i % n}] = {c[i]}, expected {expected[i]}.");
            }
        }
    }

    [Fact]
    public void A_packed_right_operand_gives_the_bits_of_packing_it_per_call_on_any_thread_count()
    {
        if (Gemm.BestPath == GemmPath.Scalar) return;
        // Shapes the packing GEMM runs by register tiles (not its dot-product or direct paths): same order of sums.
        foreach (var (m, n, k) in (ValueTuple<int, int, int>[])[(9, 256, 2304), (100, 96, 300), (13, 64, 520)])
        {
            var rng = new Rng(3);
            var a = Random(rng, m * k);
            var b = Random(rng, k * n);
            var perCall = new float[m * n];
            Gemm.Multiply(false, false, m, n, k, a, b, perCall, false);
            var packed = new GemmPackedRight(false, k, n, b);
            var one = new float[m * n];
            var two = new float[m * n];
            int saved = Workers.ThreadCount;
            try
            {
                Workers.ThreadCount = 1;
                Gemm.Multiply(false, m, a, packed, one, false);
                Workers.ThreadCount = 2;
                Gemm.Multiply(false, m, a, packed, two, false);
            }
            finally
            {
                Workers.ThreadCount = saved;
            }
            Assert.Equal(perCall, one);
            Assert.Equal(one, two);
        }
    }

    [Fact]
    public void A_packed_right_operand_refuses_wrong_sizes()
    {
        if (Gemm.BestPath == GemmPath.Scalar) return;
        Assert.Throws<ArgumentException>(() => new GemmPackedRight(false, 4, 4, new float[15]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GemmPackedRight(false, 0, 4, new float[4]));
        var packed = new GemmPackedRight(false, 4, 4, new float[16]);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 2, new float[7], packed, new float[8], false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 2, new float[8], packed, new float[7], false));
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
        Assert.Equal(0, Allocations.Fewest(() => { for (int i = 0; i < 3; i++) Gemm.Multiply(false, true, m, n, k, a, b, c, false); }));
    }

    private static bool Supported(GemmPath path) => path switch
    {
        GemmPath.Vector512 => System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
        GemmPath.Vector256 => System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported,
        _ => true,
    };
}
