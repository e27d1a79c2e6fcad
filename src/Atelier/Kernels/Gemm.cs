namespace Atelier.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major matrices:
/// C[m, n] = op(A)[m, k] · op(B)[k, n] (+ C when <paramref name="accumulate"/>).
/// op(A) = A stored [m, k], or Aᵀ with A stored [k, m] when transA; likewise B ([k, n], or [n, k] when transB).
/// </summary>
public static class Gemm
{
    // PLACEHOLDER: a correct but slow triple loop; the packed, blocked, multi-threaded kernel replaces it.
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
    }
}
