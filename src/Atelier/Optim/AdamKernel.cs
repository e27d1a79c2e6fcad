using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Kernels;

namespace Atelier.Optim;

/// <summary>The Adam/AdamW update over flat arrays, in PyTorch's float operation order (fused where its add/addcmul fuse).</summary>
public static class AdamKernel
{
    /// <summary>
    /// p ← p·decoupledDecay; g ← g + wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; [vmax ← max(vmax, v)];
    /// p ← p − (lr/bc1)·m / (√v̂/√bc2 + ε), with bc = 1 − β^step. Empty <paramref name="vmax"/> = no AMSGrad.
    /// </summary>
    public static void Run(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vmax,
        float lr, float step, double beta1, double beta2, double eps, double weightDecay, float decoupledDecay)
    {
        int n = p.Length;
        bool amsgrad = !vmax.IsEmpty;
        if (g.Length != n || m.Length != n || v.Length != n || (amsgrad && vmax.Length != n))
            throw new ArgumentException("Adam's parameter, gradient and state arrays must have the same length.");
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        float negStepSize = (float)-(lr / biasCorrection1);
        float bc2Sqrt = (float)Math.Sqrt(biasCorrection2);
        float b1 = (float)beta1, c1 = (float)(1 - beta1), b2 = (float)beta2, c2 = (float)(1 - beta2);
        float wd = (float)weightDecay, e = (float)eps;

        if (n >= ParallelFloats && Workers.ThreadCount > 1)
        {
            // Elementwise: blocks on several threads give the same floats as one pass.
            var work = new Blocks { P = p, G = g, M = m, V = v, Vmax = vmax, NegStepSize = negStepSize, Bc2Sqrt = bc2Sqrt, B1 = b1, C1 = c1, B2 = b2, C2 = c2,
                Wd = wd, Eps = e, DecoupledDecay = decoupledDecay };
            Workers.ForBalanced((n + BlockFloats - 1) / BlockFloats, ref work);
            return;
        }
        Update(p, g, m, v, vmax, negStepSize, bc2Sqrt, b1, c1, b2, c2, wd, e, decoupledDecay);
    }

    // Below this many parameters one thread is faster than the hand-off; blocks are whole vectors.
    private const int ParallelFloats = 1 << 16, BlockFloats = 1 << 14;

    private ref struct Blocks : IWorkItem
    {
        public Span<float> P, M, V, Vmax;
        public ReadOnlySpan<float> G;
        public float NegStepSize, Bc2Sqrt, B1, C1, B2, C2, Wd, Eps, DecoupledDecay;

        public readonly void Run(int start, int end)
        {
            int from = start * BlockFloats, count = Math.Min(end * BlockFloats, P.Length) - from;
            Update(P.Slice(from, count), G.Slice(from, count), M.Slice(from, count), V.Slice(from, count),
                Vmax.IsEmpty ? default : Vmax.Slice(from, count), NegStepSize, Bc2Sqrt, B1, C1, B2, C2, Wd, Eps, DecoupledDecay);
        }
    }

    private static void Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vmax,
        float negStepSize, float bc2Sqrt, float b1, float c1, float b2, float c2, float wd, float e, float decoupledDecay)
    {
        int n = p.Length;
        bool amsgrad = !vmax.IsEmpty, decay = decoupledDecay != 1f, l2 = wd != 0;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float xr = ref MemoryMarshal.GetReference(vmax);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vb1 = Vector512.Create(b1); var vc1 = Vector512.Create(c1);
            var vb2 = Vector512.Create(b2); var vc2 = Vector512.Create(c2);
            var vwd = Vector512.Create(wd); var veps = Vector512.Create(e);
            var vdecay = Vector512.Create(decoupledDecay);
            var vbc2 = Vector512.Create(bc2Sqrt); var vstep = Vector512.Create(negStepSize);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                if (decay) pv *= vdecay;
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (l2) gv = Vector512.FusedMultiplyAdd(pv, vwd, gv);
                var mv = Vector512.FusedMultiplyAdd(gv, vc1, Vector512.LoadUnsafe(ref mr, (nuint)i) * vb1);
                var vv = Vector512.FusedMultiplyAdd(vc2 * gv, gv, Vector512.LoadUnsafe(ref vr, (nuint)i) * vb2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (amsgrad)
                {
                    vv = Vector512.Max(Vector512.LoadUnsafe(ref xr, (nuint)i), vv);
                    vv.StoreUnsafe(ref xr, (nuint)i);
                }
                var denom = Vector512.Sqrt(vv) / vbc2 + veps;
                (pv + vstep * mv / denom).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            if (decay) pv *= decoupledDecay;
            float gv = Unsafe.Add(ref gr, i);
            if (l2) gv = MathF.FusedMultiplyAdd(pv, wd, gv);
            float mv = MathF.FusedMultiplyAdd(gv, c1, Unsafe.Add(ref mr, i) * b1);
            float vv = MathF.FusedMultiplyAdd(c2 * gv, gv, Unsafe.Add(ref vr, i) * b2);
            Unsafe.Add(ref mr, i) = mv;
            Unsafe.Add(ref vr, i) = vv;
            if (amsgrad)
            {
                vv = MathF.Max(Unsafe.Add(ref xr, i), vv);
                Unsafe.Add(ref xr, i) = vv;
            }
            float denom = MathF.Sqrt(vv) / bc2Sqrt + e;
            Unsafe.Add(ref pr, i) = pv + negStepSize * mv / denom;
        }
    }
}
