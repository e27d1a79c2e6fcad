using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>NAdam (Dozat): Adam with Nesterov momentum and a momentum-decay schedule, as torch.optim.NAdam.</summary>
public sealed class NAdam : Optimizer
{
    private static readonly string[] Moments = ["exp_avg", "exp_avg_sq"];
    private static readonly string[] StepAndMuProduct = ["step", "mu_product"];

    public NAdam(IEnumerable<Tensor> parameters, float lr = 2e-3f, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, double momentumDecay = 4e-3)
        : base(parameters, lr)
    {
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckNonNegative(eps, nameof(eps));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        CheckNonNegative(momentumDecay, nameof(momentumDecay));
        (Beta1, Beta2, Eps, WeightDecay, MomentumDecay) = (beta1, beta2, eps, weightDecay, momentumDecay);
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public double MomentumDecay { get; }

    public override string Name => "nadam";

    protected override string[] BufferNames => Moments;

    protected override string[] ScalarNames => StepAndMuProduct;

    protected override void InitializeState(float[][] state, float[] scalarState) => scalarState[1] = 1f;

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        float step = ++scalarState[0];
        double biasCorrection2 = 1 - Math.Pow(Beta2, step);
        double mu = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, step * MomentumDecay));
        double muNext = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, (step + 1) * MomentumDecay));
        // PyTorch keeps mu_product in a float32 tensor, so its products round to float.
        float muProduct = scalarState[1] *= (float)mu;
        float muProductNext = muProduct * (float)mu * (float)muNext;
        double lr = LearningRate;
        float gradCoefficient = (float)(-lr * (1.0 - mu) / (1.0 - muProduct));
        float avgCoefficient = (float)(-lr * muNext / (1.0 - muProductNext));
        Kernel(param, grad, state[0], state[1], gradCoefficient, avgCoefficient, (float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)(1 - Beta2),
            (float)biasCorrection2, (float)Eps, (float)WeightDecay);
    }

    /// <summary>
    /// g ← g + wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; d ← √(v / bc2) + ε;
    /// p ← p + cg·g / d; p ← p + cm·m / d (two rounding steps, as PyTorch's two addcdiv calls).
    /// </summary>
    public static void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float gradCoefficient, float avgCoefficient,
        float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float biasCorrection2, float eps, float weightDecay)
    {
        int n = p.Length, i = 0;
        if (g.Length != n || m.Length != n || v.Length != n) throw new ArgumentException("NAdam's parameter, gradient and state arrays must have the same length.");
        bool l2 = weightDecay != 0;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated)
        {
            var vb1 = Vector512.Create(beta1); var vc1 = Vector512.Create(oneMinusBeta1);
            var vb2 = Vector512.Create(beta2); var vc2 = Vector512.Create(oneMinusBeta2);
            var vbc2 = Vector512.Create(biasCorrection2); var veps = Vector512.Create(eps); var vwd = Vector512.Create(weightDecay);
            var vcg = Vector512.Create(gradCoefficient); var vcm = Vector512.Create(avgCoefficient);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (l2) gv = Vector512.FusedMultiplyAdd(pv, vwd, gv);
                var mv = Vector512.FusedMultiplyAdd(gv, vc1, Vector512.LoadUnsafe(ref mr, (nuint)i) * vb1);
                var vv = Vector512.FusedMultiplyAdd(vc2 * gv, gv, Vector512.LoadUnsafe(ref vr, (nuint)i) * vb2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                var denom = Vector512.Sqrt(vv / vbc2) + veps;
                pv += vcg * gv / denom;
                (pv + vcm * mv / denom).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float gv = Unsafe.Add(ref gr, i);
            if (l2) gv = MathF.FusedMultiplyAdd(pv, weightDecay, gv);
            float mv = MathF.FusedMultiplyAdd(gv, oneMinusBeta1, Unsafe.Add(ref mr, i) * beta1);
            float vv = MathF.FusedMultiplyAdd(oneMinusBeta2 * gv, gv, Unsafe.Add(ref vr, i) * beta2);
            Unsafe.Add(ref mr, i) = mv;
            Unsafe.Add(ref vr, i) = vv;
            float denom = MathF.Sqrt(vv / biasCorrection2) + eps;
            pv += gradCoefficient * gv / denom;
            Unsafe.Add(ref pr, i) = pv + avgCoefficient * mv / denom;
        }
    }
}
