namespace Atelier.Data;

/// <summary>
/// Labelled grayscale images kept as bytes (one byte per pixel, row-major, 0 = background), or a view of some of them.
/// A subset shares the parent's pixel and label arrays and only holds an index array, so splits copy no images.
/// </summary>
public sealed class Dataset
{
    private readonly byte[] pixels;
    private readonly byte[] labels;
    private readonly int[]? indices;

    /// <param name="pixels">count·height·width bytes, image after image.</param>
    /// <param name="labels">one class index per image, each below <paramref name="classNames"/>.Count.</param>
    /// <param name="height">rows of each image.</param>
    /// <param name="width">columns of each image.</param>
    /// <param name="classNames">the name of each class, by index.</param>
    /// <param name="name">names the set in messages ("train", "test"...).</param>
    public Dataset(byte[] pixels, byte[] labels, int height, int width, IReadOnlyList<string> classNames, string name = "dataset")
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"Images must be at least 1x1, got {height}x{width}.");
        if (pixels.Length != (long)labels.Length * height * width)
            throw new ArgumentException($"{pixels.Length} pixel bytes do not hold {labels.Length} images of {height}x{width}.");
        if (classNames.Count == 0) throw new ArgumentException("A dataset needs at least one class name.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= classNames.Count)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside the {classNames.Count} classes.");
        this.pixels = pixels;
        this.labels = labels;
        Height = height;
        Width = width;
        ClassNames = classNames;
        Name = name;
        Count = labels.Length;
    }

    private Dataset(Dataset parent, int[] indices, string name)
    {
        pixels = parent.pixels;
        labels = parent.labels;
        Height = parent.Height;
        Width = parent.Width;
        ClassNames = parent.ClassNames;
        Name = name;
        this.indices = indices;
        Count = indices.Length;
    }

    /// <summary>For messages and reports ("train", "validation", "test").</summary>
    public string Name { get; }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    public int PixelsPerImage => Height * Width;

    public IReadOnlyList<string> ClassNames { get; }

    public int ClassCount => ClassNames.Count;

    /// <summary>True when this is a view over part of another dataset.</summary>
    public bool IsSubset => indices is not null;

    /// <summary>Image <paramref name="i"/> of this dataset (of the view, for a subset): Height·Width bytes.</summary>
    public ReadOnlySpan<byte> Image(int i)
    {
        int source = SourceIndex(i);
        return pixels.AsSpan(source * PixelsPerImage, PixelsPerImage);
    }

    public int Label(int i) => labels[SourceIndex(i)];

    /// <summary>The index of sample <paramref name="i"/> in the underlying (loaded) dataset.</summary>
    public int SourceIndex(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i), $"Sample {i} is outside a dataset of {Count}.");
        return indices is null ? i : indices[i];
    }

    /// <summary>A view of the samples at <paramref name="sampleIndices"/> (indices into this dataset, in that order); no image is copied.</summary>
    public Dataset Subset(ReadOnlySpan<int> sampleIndices, string? name = null)
    {
        var composed = new int[sampleIndices.Length];
        for (int k = 0; k < composed.Length; k++) composed[k] = SourceIndex(sampleIndices[k]);
        return new Dataset(this, composed, name ?? Name);
    }

    /// <summary>Number of samples of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        for (int i = 0; i < Count; i++) counts[Label(i)]++;
        return counts;
    }

    /// <summary>All labels of this dataset (of the view) as ints, in order.</summary>
    public int[] LabelsToArray()
    {
        var result = new int[Count];
        for (int i = 0; i < Count; i++) result[i] = Label(i);
        return result;
    }

    public override string ToString() => $"{Name}: {Count} images of {Height}x{Width}, {ClassCount} classes";
}
