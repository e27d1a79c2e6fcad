namespace Atelier.Data;

/// <summary>
/// Per-channel mean and standard deviation of the pixels (as pixel/255) of a training set: what torchvision's
/// Normalize takes, saved with the model so prediction normalises the same way.
/// </summary>
public readonly record struct Normalization(float Mean, float Std)
{
    /// <summary>Leaves pixel/255 as it is.</summary>
    public static Normalization Identity => new(0f, 1f);

    /// <summary>
    /// Mean and standard deviation over every pixel of <paramref name="dataset"/> (the training subset: statistics
    /// from validation or test data would leak). Unbiased std, as torch.std; exact, from a 256-bin histogram.
    /// </summary>
    public static Normalization Compute(Dataset dataset)
    {
        if (dataset.Count == 0) throw new ArgumentException("Cannot compute normalisation statistics of an empty dataset.");
        var histogram = new long[256];
        for (int i = 0; i < dataset.Count; i++)
            foreach (byte b in dataset.Image(i)) histogram[b]++;
        double n = (double)dataset.Count * dataset.PixelsPerImage, sum = 0;
        for (int v = 0; v < 256; v++) sum += histogram[v] * (v / 255.0);
        double mean = sum / n, squares = 0;
        for (int v = 0; v < 256; v++) { double d = v / 255.0 - mean; squares += histogram[v] * d * d; }
        double std = n > 1 ? Math.Sqrt(squares / (n - 1)) : 0;
        if (std == 0) std = 1; // a constant image set: nothing to scale, avoid dividing by zero
        return new Normalization((float)mean, (float)std);
    }

    /// <summary>(pixel/255 − mean)/std in float32, in the same order of operations as ToTensor + Normalize.</summary>
    public float Apply(float unitPixel) => (unitPixel - Mean) / Std;

    /// <summary>The normalised value of each byte 0..255, so batches convert with one table look-up per pixel.</summary>
    public float[] ByteTable()
    {
        var table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = Apply(b / 255f);
        return table;
    }
}
