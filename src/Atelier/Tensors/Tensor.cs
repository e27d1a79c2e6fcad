using Atelier.Autograd;

namespace Atelier.Tensors;

/// <summary>
/// A contiguous float32 tensor. Its buffer may be longer than <see cref="Size"/> so a layer can reuse one
/// buffer for every batch (the last, smaller batch included); always go through <see cref="Span"/>.
/// </summary>
public sealed class Tensor
{
    private float[] data;

    public Tensor(Shape shape)
    {
        Shape = shape;
        data = shape.Size == 0 ? [] : new float[shape.Size];
    }

    public Tensor(Shape shape, float[] data)
    {
        if (data.Length < shape.Size)
            throw new ArgumentException($"A buffer of {data.Length} floats cannot hold a tensor of shape {shape}.");
        Shape = shape;
        this.data = data;
    }

    public static Tensor Zeros(params ReadOnlySpan<int> dims) => new(Shape.Of(dims));

    public static Tensor FromArray(float[] values, params ReadOnlySpan<int> dims)
    {
        var shape = Shape.Of(dims);
        if (values.Length != shape.Size)
            throw new ArgumentException($"{values.Length} values do not fill a tensor of shape {shape}.");
        return new Tensor(shape, values);
    }

    public Shape Shape { get; private set; }

    public int Size => Shape.Size;

    /// <summary>The raw buffer (possibly longer than <see cref="Size"/>); kernels that need pointers pin it.</summary>
    public float[] Buffer => data;

    public Span<float> Span => data.AsSpan(0, Shape.Size);

    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[int i]
    {
        get => Span[i];
        set => Span[i] = value;
    }

    /// <summary>Gradient of the last backward pass, same shape; null until a backward pass writes one.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>True for parameters and for every tensor computed from one while gradients are recorded.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>
    /// Whether <see cref="Grad"/> holds a value from the current backward pass. The first op to send a gradient
    /// overwrites it, later ones add to it; so no buffer is ever zeroed just to be added to.
    /// </summary>
    public bool HasGrad { get; internal set; }

    /// <summary>Resizes in place to a shape that fits the buffer (a view: the data is not moved).</summary>
    public Tensor Reshape(Shape shape)
    {
        if (shape.Size != Size)
            throw new ArgumentException($"Cannot reshape {Shape} ({Size} elements) to {shape} ({shape.Size} elements).");
        return new Tensor(shape, data) { RequiresGrad = RequiresGrad };
    }

    /// <summary>Sets the shape, growing the buffer only when it is too small; the contents are then undefined.</summary>
    public void Resize(Shape shape)
    {
        if (data.Length < shape.Size) data = new float[shape.Size];
        Shape = shape;
    }

    /// <summary>Reuses <paramref name="tensor"/> if it exists (growing it if needed) or creates it: layers keep their outputs this way.</summary>
    public static Tensor Ensure(ref Tensor? tensor, Shape shape)
    {
        if (tensor is null) tensor = new Tensor(shape);
        else tensor.Resize(shape);
        tensor.HasGrad = false;
        return tensor;
    }

    /// <summary>
    /// The gradient buffer for an op to send its gradient into: <paramref name="accumulate"/> tells whether to add
    /// (another op already wrote this pass) or overwrite. Marks the gradient as written.
    /// </summary>
    public Span<float> GradForWrite(out bool accumulate)
    {
        if (Grad is null) Grad = new Tensor(Shape);
        else if (Grad.Shape != Shape) Grad.Resize(Shape);
        accumulate = HasGrad;
        HasGrad = true;
        return Grad.Span;
    }

    /// <summary>Adds (or writes, if first) <paramref name="gradient"/> into this tensor's gradient.</summary>
    public void AccumulateGrad(ReadOnlySpan<float> gradient)
    {
        var g = GradForWrite(out bool accumulate);
        if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(g, gradient, g);
        else gradient.CopyTo(g);
    }

    /// <summary>Runs reverse-mode autodiff from this scalar: every tensor that needs one gets its <see cref="Grad"/>.</summary>
    public void Backward() => Tape.Backward(this);

    /// <summary>A copy with its own buffer, detached from the tape.</summary>
    public Tensor Clone()
    {
        var copy = new Tensor(Shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, this one has shape {Shape}.");
        return data[0];
    }

    public float[] ToArray() => Span.ToArray();

    public override string ToString() => $"Tensor{Shape}";
}
