using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>What max and average pooling share: window, stride (default: the window), padding, and the output geometry.</summary>
public abstract class Pool2d : Module
{
    protected Pool2d(Size2d kernelSize, Size2d? stride, Size2d? padding)
    {
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding ?? 0;
        if (Padding.Height * 2 > KernelSize.Height || Padding.Width * 2 > KernelSize.Width)
            throw new ArgumentException($"{GetType().Name}: padding {Padding} must be at most half the kernel size {KernelSize}.");
        new ConvGeometry(1, 1, KernelSize.Height, KernelSize.Width, 1, KernelSize, Stride, Padding).Validate(GetType().Name);
    }

    public Size2d KernelSize { get; }
    public Size2d Stride { get; }
    public Size2d Padding { get; }

    protected ConvGeometry GeometryFor(Shape input)
    {
        if (input.Rank != 4) throw new ArgumentException($"{GetType().Name} expects input [N, C, H, W], got {input}.");
        var g = new ConvGeometry(input[0], input[1], input[2], input[3], input[1], KernelSize, Stride, Padding);
        g.Validate(GetType().Name);
        return g;
    }

    public override Shape OutputShape(Shape input)
    {
        var g = GeometryFor(input);
        return new Shape(g.N, g.C, g.OH, g.OW);
    }

    public override string Describe() =>
        $"{GetType().Name}({KernelSize}" + (Stride != KernelSize ? $", stride {Stride}" : "") + (Padding != new Size2d(0, 0) ? $", padding {Padding}" : "") + ")";
}
