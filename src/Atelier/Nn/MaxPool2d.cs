using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Max pooling over [N, C, H, W] as torch.nn.MaxPool2d: window kernel, stride (default: the kernel), implicit
/// -inf padding, floor mode (7x7 with kernel 2 gives 3x3). Remembers each maximum's position for backward.
/// </summary>
public sealed class MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null) : Pool2d(kernelSize, stride, padding), IBackward
{
    private Tensor? input, output;
    private ConvGeometry geometry;
    private int[] argmax = [];

    public override Tensor Forward(Tensor input)
    {
        var g = geometry = GeometryFor(input.Shape);
        this.input = input;
        var y = Tensor.Ensure(ref output, new Shape(g.N, g.C, g.OH, g.OW));
        if (argmax.Length < y.Size) argmax = new int[y.Size];
        Pooling.MaxForward(y.Span, argmax, input.Span, g);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        Pooling.MaxBackward(dx, accumulate, output.Grad!.Span, argmax, geometry);
    }
}
