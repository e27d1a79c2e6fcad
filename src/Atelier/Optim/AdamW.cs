using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>AdamW (Loshchilov and Hutter): Adam with weight decay applied to the parameter, not the gradient, as torch.optim.AdamW.</summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
    : AdamFamily(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
{
    public override string Name => "adamw";

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        float step = ++scalarState[0];
        float decay = (float)(1 - (double)LearningRate * WeightDecay);
        AdamKernel.Run(param, grad, state[0], state[1], AmsGrad ? state[2] : default, LearningRate, step, Beta1, Beta2, Eps, weightDecay: 0, decoupledDecay: decay);
    }
}
