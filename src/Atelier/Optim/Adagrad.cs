using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>Adagrad (Duchi et al.) with learning-rate decay and L2 weight decay, as torch.optim.Adagrad.</summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Sum = ["sum"];

    public Adagrad(IEnumerable<Tensor> parameters, float lr = 1e-2f, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(parameters, lr)
    {
        CheckNonNegative(lrDecay, nameof(lrDecay));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        CheckNonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        CheckNonNegative(eps, nameof(eps));
        (LrDecay, WeightDecay, InitialAccumulatorValue, Eps) = (lrDecay, weightDecay, initialAccumulatorValue, eps);
    }

    public double LrDecay { get; }
    public double WeightDecay { get; }
    public double InitialAccumulatorValue { get; }
    public double Eps { get; }

    public override string Name => "adagrad";

    protected override string[] BufferNames => Sum;

    protected override void InitializeState(float[][] state, float[] scalarState) => Array.Fill(state[0], (float)InitialAccumulatorValue);

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        float step = ++scalarState[0];
        double clr = LearningRate / (1 + (step - 1) * LrDecay);
        Kernel(param, grad, state[0], (float)-clr, (float)Eps, (float)WeightDecay);
    }

    /// <summary>g ← g + wd·p; sum ← sum + g²; p ← p − clr·g / (√sum + ε).</summary>
    public static void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> sum, float negClr, float eps, float weightDecay)
    {
        int n = p.Length, i = 0;
        if (g.Length != n || sum.Length != n) throw new ArgumentException("Adagrad's parameter, gradient and state arrays must have the same length.");
        bool l2 = weightDecay != 0;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(sum);
        if (Vector512.IsHardwareAccelerated)
        {
            var vlr = Vector512.Create(negClr); var veps = Vector512.Create(eps); var vwd = Vector512.Create(weightDecay);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (l2) gv = Vector512.FusedMultiplyAdd(pv, vwd, gv);
                var sv = Vector512.FusedMultiplyAdd(gv, gv, Vector512.LoadUnsafe(ref sr, (nuint)i));
                sv.StoreUnsafe(ref sr, (nuint)i);
                (pv + vlr * gv / (Vector512.Sqrt(sv) + veps)).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float gv = Unsafe.Add(ref gr, i);
            if (l2) gv = MathF.FusedMultiplyAdd(pv, weightDecay, gv);
            float sv = MathF.FusedMultiplyAdd(gv, gv, Unsafe.Add(ref sr, i));
            Unsafe.Add(ref sr, i) = sv;
            Unsafe.Add(ref pr, i) = pv + negClr * gv / (MathF.Sqrt(sv) + eps);
        }
    }
}
