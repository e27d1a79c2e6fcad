using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>RMSprop (Hinton) with optional momentum, centering and L2 weight decay, as torch.optim.RMSprop.</summary>
public sealed class RMSprop : Optimizer
{
    public RMSprop(IEnumerable<Tensor> parameters, float lr = 1e-2f, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(parameters, lr)
    {
        CheckNonNegative(alpha, nameof(alpha));
        CheckNonNegative(eps, nameof(eps));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        CheckNonNegative(momentum, nameof(momentum));
        (Alpha, Eps, WeightDecay, Momentum, Centered) = (alpha, eps, weightDecay, momentum, centered);
        // PyTorch's state order: square_avg, momentum_buffer (if momentum > 0), grad_avg (if centered).
        var names = new List<string> { "square_avg" };
        if (momentum > 0) names.Add("momentum_buffer");
        if (centered) names.Add("grad_avg");
        bufferNames = names.ToArray();
    }

    private readonly string[] bufferNames;

    public double Alpha { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public double Momentum { get; }
    public bool Centered { get; }

    public override string Name => "rmsprop";

    protected override string[] BufferNames => bufferNames;

    protected override bool StepIsInt64 => true;

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        scalarState[0]++;
        int b = 1;
        Span<float> momentumBuffer = Momentum > 0 ? state[b++] : default;
        Span<float> gradAvg = Centered ? state[b] : default;
        Kernel(param, grad, state[0], momentumBuffer, gradAvg, -LearningRate, (float)Alpha, (float)(1 - Alpha), (float)Eps, (float)WeightDecay, (float)Momentum);
    }

    /// <summary>
    /// g ← g + wd·p; s ← α·s + (1−α)·g²; [ḡ ← α·ḡ + (1−α)·g; a ← √(s − ḡ²)] else a ← √s; a ← a + ε;
    /// with momentum: buf ← μ·buf + g/a, p ← p − lr·buf; else p ← p − lr·g/a. Empty spans switch the options off.
    /// </summary>
    public static void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAvg, Span<float> momentumBuffer, Span<float> gradAvg,
        float negLr, float alpha, float oneMinusAlpha, float eps, float weightDecay, float momentum)
    {
        int n = p.Length, i = 0;
        bool useMomentum = !momentumBuffer.IsEmpty, centered = !gradAvg.IsEmpty, l2 = weightDecay != 0;
        if (g.Length != n || squareAvg.Length != n || (useMomentum && momentumBuffer.Length != n) || (centered && gradAvg.Length != n))
            throw new ArgumentException("RMSprop's parameter, gradient and state arrays must have the same length.");
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(squareAvg);
        ref float br = ref MemoryMarshal.GetReference(momentumBuffer);
        ref float ar = ref MemoryMarshal.GetReference(gradAvg);
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(alpha); var vc = Vector512.Create(oneMinusAlpha);
            var veps = Vector512.Create(eps); var vwd = Vector512.Create(weightDecay);
            var vmu = Vector512.Create(momentum); var vlr = Vector512.Create(negLr);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (l2) gv = Vector512.FusedMultiplyAdd(pv, vwd, gv);
                var sv = Vector512.FusedMultiplyAdd(vc * gv, gv, Vector512.LoadUnsafe(ref sr, (nuint)i) * va);
                sv.StoreUnsafe(ref sr, (nuint)i);
                Vector512<float> avg;
                if (centered)
                {
                    var av = Vector512.FusedMultiplyAdd(gv, vc, Vector512.LoadUnsafe(ref ar, (nuint)i) * va);
                    av.StoreUnsafe(ref ar, (nuint)i);
                    avg = Vector512.Sqrt(Vector512.FusedMultiplyAdd(-av, av, sv));
                }
                else avg = Vector512.Sqrt(sv);
                avg += veps;
                if (useMomentum)
                {
                    var bv = Vector512.LoadUnsafe(ref br, (nuint)i) * vmu + gv / avg;
                    bv.StoreUnsafe(ref br, (nuint)i);
                    Vector512.FusedMultiplyAdd(bv, vlr, pv).StoreUnsafe(ref pr, (nuint)i);
                }
                else (pv + vlr * gv / avg).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float gv = Unsafe.Add(ref gr, i);
            if (l2) gv = MathF.FusedMultiplyAdd(pv, weightDecay, gv);
            float sv = MathF.FusedMultiplyAdd(oneMinusAlpha * gv, gv, Unsafe.Add(ref sr, i) * alpha);
            Unsafe.Add(ref sr, i) = sv;
            float avg;
            if (centered)
            {
                float av = MathF.FusedMultiplyAdd(gv, oneMinusAlpha, Unsafe.Add(ref ar, i) * alpha);
                Unsafe.Add(ref ar, i) = av;
                avg = MathF.Sqrt(MathF.FusedMultiplyAdd(-av, av, sv));
            }
            else avg = MathF.Sqrt(sv);
            avg += eps;
            if (useMomentum)
            {
                float bv = Unsafe.Add(ref br, i) * momentum + gv / avg;
                Unsafe.Add(ref br, i) = bv;
                Unsafe.Add(ref pr, i) = MathF.FusedMultiplyAdd(bv, negLr, pv);
            }
            else Unsafe.Add(ref pr, i) = pv + negLr * gv / avg;
        }
    }
}
