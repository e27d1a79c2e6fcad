using Atelier.Tensors;

namespace Atelier.Data;

/// <summary>
/// One batch from a <see cref="DataLoader"/>: normalised images [Count, 1, H, W] and their labels. The loader reuses
/// these buffers: a batch is valid until the enumerator moves on (copy what you keep).
/// </summary>
public sealed class Batch
{
    private readonly int[] fullLabels, fullIndices;
    private int[]? partialLabels, partialIndices;

    internal Batch(int batchSize, int height, int width)
    {
        Images = new Tensor(new Shape(batchSize, 1, height, width));
        fullLabels = new int[batchSize];
        fullIndices = new int[batchSize];
        Labels = fullLabels;
        Indices = fullIndices;
    }

    /// <summary>[Count, 1, H, W], (pixel/255 − mean)/std.</summary>
    public Tensor Images { get; }

    /// <summary>Class of each image; exactly <see cref="Count"/> long.</summary>
    public int[] Labels { get; private set; }

    /// <summary>Index of each image in the loader's dataset (to look the image up again, e.g. for reports).</summary>
    public int[] Indices { get; private set; }

    public int Count { get; private set; }

    /// <summary>Position of this batch in its epoch, from 0.</summary>
    public int Number { get; private set; }

    /// <summary>Sets the size; the short arrays of the last batch are made once and kept, so no epoch allocates them again.</summary>
    internal void Prepare(int number, int count)
    {
        Number = number;
        Count = count;
        var shape = Images.Shape;
        Images.Resize(new Shape(count, 1, shape[2], shape[3]));
        if (count == fullLabels.Length) { Labels = fullLabels; Indices = fullIndices; return; }
        if (partialLabels is null || partialLabels.Length != count) { partialLabels = new int[count]; partialIndices = new int[count]; }
        Labels = partialLabels;
        Indices = partialIndices!;
    }
}
