namespace Atelier.Tensors;

/// <summary>A tensor shape of rank 0 to 4 (NCHW for images), stored inline so passing it never allocates.</summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int d0, d1, d2, d3;

    public int Rank { get; }

    public Shape(int d0) : this(1, d0, 0, 0, 0) { }
    public Shape(int d0, int d1) : this(2, d0, d1, 0, 0) { }
    public Shape(int d0, int d1, int d2) : this(3, d0, d1, d2, 0) { }
    public Shape(int d0, int d1, int d2, int d3) : this(4, d0, d1, d2, d3) { }

    private Shape(int rank, int d0, int d1, int d2, int d3)
    {
        Rank = rank;
        (this.d0, this.d1, this.d2, this.d3) = (d0, d1, d2, d3);
        for (int i = 0; i < rank; i++)
            if (this[i] < 0) throw new ArgumentOutOfRangeException(nameof(d0), $"Shape dimensions must be non-negative, got {this}.");
    }

    /// <summary>The shape of a 0-dimensional (scalar) tensor, such as a loss or PyTorch's num_batches_tracked.</summary>
    public static Shape Scalar => default;

    public static Shape Of(ReadOnlySpan<int> dims) => dims.Length switch
    {
        0 => Scalar,
        1 => new Shape(dims[0]),
        2 => new Shape(dims[0], dims[1]),
        3 => new Shape(dims[0], dims[1], dims[2]),
        4 => new Shape(dims[0], dims[1], dims[2], dims[3]),
        _ => throw new ArgumentException($"Tensors have at most 4 dimensions, got {dims.Length}."),
    };

    public int this[int axis] => axis switch
    {
        0 when Rank > 0 => d0,
        1 when Rank > 1 => d1,
        2 when Rank > 2 => d2,
        3 when Rank > 3 => d3,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a rank-{Rank} shape."),
    };

    /// <summary>Number of elements (1 for a scalar).</summary>
    public int Size
    {
        get
        {
            int size = 1;
            for (int i = 0; i < Rank; i++) size *= this[i];
            return size;
        }
    }

    /// <summary>The same shape with another first dimension: a batch of <paramref name="batch"/> such samples.</summary>
    public Shape WithBatch(int batch) => new(Rank, batch, d1, d2, d3);

    /// <summary>Product of all dimensions after the first: features per sample.</summary>
    public int SizeFrom(int axis)
    {
        int size = 1;
        for (int i = axis; i < Rank; i++) size *= this[i];
        return size;
    }

    public int[] ToArray()
    {
        var dims = new int[Rank];
        for (int i = 0; i < Rank; i++) dims[i] = this[i];
        return dims;
    }

    public bool Equals(Shape other) => Rank == other.Rank && d0 == other.d0 && d1 == other.d1 && d2 == other.d2 && d3 == other.d3;
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(Rank, d0, d1, d2, d3);
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    public override string ToString() => Rank switch
    {
        0 => "[]",
        1 => $"[{d0}]",
        2 => $"[{d0}, {d1}]",
        3 => $"[{d0}, {d1}, {d2}]",
        _ => $"[{d0}, {d1}, {d2}, {d3}]",
    };
}
