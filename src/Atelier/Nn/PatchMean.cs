using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// [N·P, D] → [N, D]: the mean of each image's P patch rows (from <see cref="Patchify"/>), so a classifier
/// after it sees one feature vector per image, as the ECS659U coursework's patch MLPs do.
/// </summary>
public sealed class PatchMean(int patches) : Module, IBackward
{
    private Tensor? input, output;

    /// <summary>How many consecutive rows belong to one image.</summary>
    public int Patches { get; } = patches >= 1 ? patches : throw new ArgumentException($"An image has at least one patch, got {patches}.");

    public override Tensor Forward(Tensor input)
    {
        this.input = input;
        var y = Tensor.Ensure(ref output, OutputShape(input.Shape));
        int d = y.Shape[1];
        var x = input.Span;
        var sums = y.Span;
        float scale = 1f / Patches;
        for (int i = 0; i < y.Shape[0]; i++)
        {
            var sum = sums.Slice(i * d, d);
            x.Slice(i * Patches * d, d).CopyTo(sum);
            for (int p = 1; p < Patches; p++)
                TensorPrimitives.Add(sum, x.Slice((i * Patches + p) * d, d), sum);
            TensorPrimitives.Multiply(sum, scale, sum);
        }
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        var dy = output.Grad!.Span;
        int d = output.Shape[1];
        float scale = 1f / Patches;
        for (int row = 0; row < input.Shape[0]; row++)
        {
            var target = dx.Slice(row * d, d);
            var source = dy.Slice(row / Patches * d, d);
            if (accumulate) TensorPrimitives.MultiplyAdd(source, scale, target, target);
            else TensorPrimitives.Multiply(source, scale, target);
        }
    }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 2 || input[0] % Patches != 0)
            throw new ArgumentException($"PatchMean expects [N·{Patches}, D] rows, got {input}.");
        return new Shape(input[0] / Patches, input[1]);
    }

    public override string Describe() => $"PatchMean({Patches})";
}
