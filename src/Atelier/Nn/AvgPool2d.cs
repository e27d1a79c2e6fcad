using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Average pooling over [N, C, H, W] as torch.nn.AvgPool2d: window kernel, stride (default: the kernel), zero
/// padding counted in the divisor (count_include_pad), floor mode (7x7 with kernel 2 gives 3x3).
/// </summary>
public sealed class AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null) : Pool2d(kernelSize, stride, padding), IBackward
{
    private Tensor? input, output;
    private ConvGeometry geometry;

    public override Tensor Forward(Tensor input)
    {
        var g = geometry = GeometryFor(input.Shape);
        this.input = input;
        var y = Tensor.Ensure(ref output, new Shape(g.N, g.C, g.OH, g.OW));
        Pooling.AvgForward(y.Span, input.Span, g);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        Pooling.AvgBackward(dx, accumulate, output.Grad!.Span, geometry);
    }
}
