using Atelier.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay, as
/// torch.optim.SGD (the learning rate has no default there, so none here).
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly string[] MomentumBuffer = ["momentum_buffer"];

    public SGD(IEnumerable<Tensor> parameters, float lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        CheckNonNegative(momentum, nameof(momentum));
        CheckNonNegative(dampening, nameof(dampening));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs a momentum > 0 and zero dampening.", nameof(nesterov));
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    public override string Name => "sgd";

    protected override string[] BufferNames => Momentum != 0 ? MomentumBuffer : [];

    protected override string[] ScalarNames => [];

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh) =>
        Kernel(param, grad, Momentum != 0 ? state[0] : default, fresh, -LearningRate, (float)WeightDecay, (float)Momentum, (float)(1 - Dampening), Nesterov);

    /// <summary>
    /// One SGD step over flat arrays: d = g + wd·p; buf = fresh ? d : buf·μ + (1−τ)·d; d = nesterov ? d + μ·buf : buf;
    /// p += −lr·d. An empty <paramref name="buf"/> means no momentum. Adds are fused multiply-adds, as PyTorch's add(alpha).
    /// </summary>
    public static void Kernel(Span<float> p, ReadOnlySpan<float> g, Span<float> buf, bool fresh, float negLr, float weightDecay, float momentum, float oneMinusDampening, bool nesterov)
    {
        int n = p.Length, i = 0;
        bool useMomentum = !buf.IsEmpty;
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float br = ref MemoryMarshal.GetReference(buf);
        if (Vector512.IsHardwareAccelerated)
        {
            var vwd = Vector512.Create(weightDecay);
            var vmu = Vector512.Create(momentum);
            var vdamp = Vector512.Create(oneMinusDampening);
            var vlr = Vector512.Create(negLr);
            for (; i <= n - 16; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref pr, (nuint)i);
                var d = Vector512.LoadUnsafe(ref gr, (nuint)i);
                if (weightDecay != 0) d = Vector512.FusedMultiplyAdd(pv, vwd, d);
                if (useMomentum)
                {
                    var b = fresh ? d : Vector512.FusedMultiplyAdd(d, vdamp, Vector512.LoadUnsafe(ref br, (nuint)i) * vmu);
                    b.StoreUnsafe(ref br, (nuint)i);
                    d = nesterov ? Vector512.FusedMultiplyAdd(b, vmu, d) : b;
                }
                Vector512.FusedMultiplyAdd(d, vlr, pv).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = Unsafe.Add(ref pr, i);
            float d = Unsafe.Add(ref gr, i);
            if (weightDecay != 0) d = MathF.FusedMultiplyAdd(pv, weightDecay, d);
            if (useMomentum)
            {
                float b = fresh ? d : MathF.FusedMultiplyAdd(d, oneMinusDampening, Unsafe.Add(ref br, i) * momentum);
                Unsafe.Add(ref br, i) = b;
                d = nesterov ? MathF.FusedMultiplyAdd(b, momentum, d) : b;
            }
            Unsafe.Add(ref pr, i) = MathF.FusedMultiplyAdd(d, negLr, pv);
        }
    }
}
