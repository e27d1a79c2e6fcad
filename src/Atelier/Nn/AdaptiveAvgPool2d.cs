using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>torch.nn.AdaptiveAvgPool2d(1): the global average of each channel, [N, C, H, W] → [N, C, 1, 1].</summary>
public sealed class AdaptiveAvgPool2d : Module, IBackward
{
    private Tensor? input, output;

    public AdaptiveAvgPool2d(int outputSize = 1)
    {
        if (outputSize != 1)
            throw new NotSupportedException($"AdaptiveAvgPool2d supports output size 1 (global average pooling) only, got {outputSize}.");
    }

    public override Tensor Forward(Tensor input)
    {
        var shape = OutputShape(input.Shape);
        this.input = input;
        var y = Tensor.Ensure(ref output, shape);
        Pooling.GlobalAvgForward(y.Span, input.Span, shape[0] * shape[1], input.Shape[2] * input.Shape[3]);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        var s = input.Shape;
        Pooling.GlobalAvgBackward(dx, accumulate, output.Grad!.Span, s[0] * s[1], s[2] * s[3]);
    }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 4 || input[2] == 0 || input[3] == 0)
            throw new ArgumentException($"AdaptiveAvgPool2d expects a non-empty input [N, C, H, W], got {input}.");
        return new Shape(input[0], input[1], 1, 1);
    }

    public override string Describe() => "AdaptiveAvgPool2d(1)";
}
