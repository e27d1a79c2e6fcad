using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Views a shape as [outer, classes, inner] around the softmax dimension (negative counts from the end, as in PyTorch).</summary>
internal static class SoftmaxAxis
{
    public static (int Outer, int Classes, int Inner) Split(Shape shape, int dim)
    {
        int axis = dim < 0 ? dim + shape.Rank : dim;
        if (axis < 0 || axis >= shape.Rank)
            throw new ArgumentOutOfRangeException(nameof(dim), $"Softmax dimension {dim} is out of range for an input of shape {shape}.");
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        return (outer, shape[axis], shape.SizeFrom(axis + 1));
    }
}
