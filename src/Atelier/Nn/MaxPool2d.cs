using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Max pooling over [N, C, H, W] as torch.nn.MaxPool2d: window kernel, stride (default: the kernel), implicit
/// -inf padding, floor mode (7x7 with kernel 2 gives 3x3). Remembers each maximum's position for backward.
/// </summary>
public sealed class MaxPool2d : Module, IBackward
{
    private Tensor? input, output;
    private ConvGeometry geometry;
    private int[] argmax = [];

    public MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding ?? 0;
        if (Padding.Height * 2 > KernelSize.Height || Padding.Width * 2 > KernelSize.Width)
            throw new ArgumentException($"MaxPool2d: padding {Padding} must be at most half the kernel size {KernelSize}.");
        new ConvGeometry(1, 1, KernelSize.Height, KernelSize.Width, 1, KernelSize, Stride, Padding).Validate("MaxPool2d");
    }

    public Size2d KernelSize { get; }
    public Size2d Stride { get; }
    public Size2d Padding { get; }

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

    private ConvGeometry GeometryFor(Shape input)
    {
        if (input.Rank != 4) throw new ArgumentException($"MaxPool2d expects input [N, C, H, W], got {input}.");
        var g = new ConvGeometry(input[0], input[1], input[2], input[3], input[1], KernelSize, Stride, Padding);
        g.Validate("MaxPool2d");
        return g;
    }

    public override Shape OutputShape(Shape input)
    {
        var g = GeometryFor(input);
        return new Shape(g.N, g.C, g.OH, g.OW);
    }

    public override string Describe() =>
        $"MaxPool2d({KernelSize}" + (Stride != KernelSize ? $", stride {Stride}" : "") + (Padding != new Size2d(0, 0) ? $", padding {Padding}" : "") + ")";
}
