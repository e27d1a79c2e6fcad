using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>Adam (Kingma and Ba) with L2 weight decay added to the gradient and optional AMSGrad, as torch.optim.Adam.</summary>
public sealed class Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
    : AdamFamily(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
{
    public override string Name => "adam";

    protected override void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh)
    {
        float step = ++scalarState[0];
        AdamKernel.Run(param, grad, state[0], state[1], AmsGrad ? state[2] : default, LearningRate, step, Beta1, Beta2, Eps, WeightDecay, decoupledDecay: 1f);
    }
}
