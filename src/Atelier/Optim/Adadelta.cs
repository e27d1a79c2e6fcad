using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>Adadelta (Zeiler) with L2 weight decay, as torch.optim.Adadelta.</summary>
public sealed class Adadelta : Optimizer
{
    private static readonly string[] Averages = ["square_avg", "acc_delta"];

    public Adadelta(IEnumerable<Tensor> parameters, float lr = 1.0f, double rho = 0.9, double eps = 1e-6, double weightDecay = 0)
        : base(parameters, lr)
    {
        if (!(rho >= 0 && rho <= 1)) throw new ArgumentOutOfRangeException(nameof(rho), $"rho must be in [0, 1], got {rho}.");
        CheckNonNegative(eps, nameof(eps));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        (Rho, Eps, WeightDecay) = (rho, eps, weightDecay);
    }

    public double Rho { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    public override string Name => "adadelta";

    protected override string[] BufferNames => Averages;

    protected override bool StepIsInt64 => true;

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        scalarState[0]++;
        Kernel(param, grad, state[0], state[1], -LearningRate, (float)Rho, (float)(1 - Rho), (float)Eps, (float)WeightDecay);
    }

    /// <summary>g ← g + wd·p; s ← ρ·s + (1−ρ)·g²; δ ← √(acc + ε) / √(s + ε) · g; acc ← ρ·acc + (1−ρ)·δ²; p ← p − lr·δ.</summary>
    public static void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAvg, Span<float> accDelta,
        float negLr, float rho, float oneMinusRho, float eps, float weightDecay)
    {
        int n = p.Length, i = 0;
        if (g.Length != n || squareAvg.Length != n || accDelta.Length != n)
            throw new ArgumentException("Adadelta's parameter, gradient and state arrays must have the same length.");
        bool l2 = weightDecay != 0;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(squareAvg);
        ref float ar = ref MemoryMarshal.GetReference(accDelta);
        if (Vector512.IsHardwareAccelerated)
        {
            var vr = Vector512.Create(rho); var vc = Vector512.Create(oneMinusRho);
            var veps = Vector512.Create(eps); var vwd = Vector512.Create(weightDecay); var vlr = Vector512.Create(negLr);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (l2) gv = Vector512.FusedMultiplyAdd(pv, vwd, gv);
                var sv = Vector512.FusedMultiplyAdd(vc * gv, gv, Vector512.LoadUnsafe(ref sr, (nuint)i) * vr);
                sv.StoreUnsafe(ref sr, (nuint)i);
                var av = Vector512.LoadUnsafe(ref ar, (nuint)i);
                var delta = Vector512.Sqrt(av + veps) / Vector512.Sqrt(sv + veps) * gv;
                Vector512.FusedMultiplyAdd(vc * delta, delta, av * vr).StoreUnsafe(ref ar, (nuint)i);
                Vector512.FusedMultiplyAdd(delta, vlr, pv).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float gv = Unsafe.Add(ref gr, i);
            if (l2) gv = MathF.FusedMultiplyAdd(pv, weightDecay, gv);
            float sv = MathF.FusedMultiplyAdd(oneMinusRho * gv, gv, Unsafe.Add(ref sr, i) * rho);
            Unsafe.Add(ref sr, i) = sv;
            float av = Unsafe.Add(ref ar, i);
            float delta = MathF.Sqrt(av + eps) / MathF.Sqrt(sv + eps) * gv;
            Unsafe.Add(ref ar, i) = MathF.FusedMultiplyAdd(oneMinusRho * delta, delta, av * rho);
            Unsafe.Add(ref pr, i) = MathF.FusedMultiplyAdd(delta, negLr, pv);
        }
    }
}
