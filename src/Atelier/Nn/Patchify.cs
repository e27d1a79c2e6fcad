using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Atelier.Autograd;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// [N, C, H, W] → [N·P, C·k·k]: cuts each image into P non-overlapping k×k patches (row-major over the image),
/// one row per patch, so the layers after it run on every patch with shared weights (an MLP "reading the image
/// as a sequence of patches", report 002). A patch's row holds its pixels channel by channel, row by row, like
/// torch.nn.Unfold(k, stride=k) followed by a transpose. <see cref="PatchMean"/> folds the rows back into images.
/// </summary>
public sealed class Patchify : Module, IBackward
{
    private Tensor? input, output;

    public Patchify(int size)
    {
        if (size < 1) throw new ArgumentException($"The patch size must be at least 1 pixel, got {size}.");
        Size = size;
    }

    /// <summary>The side of a square patch, in pixels.</summary>
    public int Size { get; }

    /// <summary>How many patches an image of this height and width makes.</summary>
    public int PatchCount(int height, int width) => height / Size * (width / Size);

    public override Tensor Forward(Tensor input)
    {
        this.input = input;
        var y = Tensor.Ensure(ref output, OutputShape(input.Shape));
        Copy(input.Shape, input.Span, y.Span, toPatches: true, accumulate: false);
        Tape.Record(this, y, input.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad || !input!.RequiresGrad) return;
        var dx = input.GradForWrite(out bool accumulate);
        Copy(input.Shape, dx, output.Grad!.Span, toPatches: false, accumulate);
    }

    /// <summary>Moves every pixel between image order and patch order, in the direction asked.</summary>
    private void Copy(Shape s, Span<float> image, Span<float> patches, bool toPatches, bool accumulate)
    {
        int n = s[0], c = s[1], h = s[2], w = s[3], k = Size, across = w / k, perImage = PatchCount(h, w);
        int rowLength = c * k * k, imageSize = c * h * w;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < perImage; p++)
            {
                int top = p / across * k, left = p % across * k;
                var row = patches.Slice((i * perImage + p) * rowLength, rowLength);
                for (int ch = 0; ch < c; ch++)
                    for (int r = 0; r < k; r++)
                    {
                        var pixels = image.Slice(i * imageSize + (ch * h + top + r) * w + left, k);
                        var cells = row.Slice((ch * k + r) * k, k);
                        if (toPatches) pixels.CopyTo(cells);
                        else if (accumulate) TensorPrimitives.Add(pixels, cells, pixels);
                        else cells.CopyTo(pixels);
                    }
            }
    }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 4 || input[2] % Size != 0 || input[3] % Size != 0)
            throw new ArgumentException($"Patches of {Size}x{Size} pixels must tile the image exactly: {input[2]}x{input[3]} is not a multiple of {Size}.");
        return new Shape(input[0] * PatchCount(input[2], input[3]), input[1] * Size * Size);
    }

    public override string Describe() => $"Patchify({Size}x{Size})";
}
