using Atelier.Nn;

namespace Atelier.Models;

/// <summary>
/// The fully connected models of the reports (000/001, 002, 003). Each starts with a Flatten, or, when the
/// options ask for patches (report 002), reads the image as a sequence of patches: see <see cref="Stack"/>.
/// </summary>
public static class Mlps
{
    /// <summary>000/001 "ANN": 784 → 392 → 196 → 98 → 10 with ReLU.</summary>
    public static Module Mlp(ModelOptions o) => Stack(o, [392, 196, 98], _ => [new ReLU()]);

    /// <summary>000/001 "ANN (modified)": each hidden block Linear → ReLU → BN → Dropout 0.2.</summary>
    public static Module MlpBn(ModelOptions o)
    {
        float p = o.Dropout ?? 0.2f;
        return Stack(o, [392, 196, 98], width => o.BatchNorm
            ? [new ReLU(), new BatchNorm1d(width), new Dropout(p)]
            : [new ReLU(), new Dropout(p)]);
    }

    /// <summary>002 model 1 "MLP4": 500 → 250 → 250 with ReLU and dropout (002 does not give the rate: 0.2).</summary>
    public static Module Mlp4(ModelOptions o) => Stack(o, [500, 250, 250], _ => [new ReLU(), new Dropout(o.Dropout ?? 0.2f)]);

    /// <summary>002 model 2 "custom MLP": 900 → 500 → 450 → 250 with LeakyReLU and dropout.</summary>
    public static Module MlpCustom(ModelOptions o) =>
        Stack(o, [900, 500, 450, 250], _ => [new LeakyReLU(), new Dropout(o.Dropout ?? 0.2f)]);

    /// <summary>003 "Initial NN": one hidden layer of 32 sigmoid units.</summary>
    public static Module Dense32(ModelOptions o) => Stack(o, [32], _ => [new Sigmoid()]);

    /// <summary>003 "Dropout ANN" (no exact table given): 128 ReLU units, dropout 0.2, as Keras' classic example.</summary>
    public static Module MlpDropout(ModelOptions o) => Stack(o, [128], _ => [new ReLU(), new Dropout(o.Dropout ?? 0.2f)]);

    /// <summary>003 "Deep ANN" (no exact table given): two more hidden layers, 256 → 128 → 64 with dropout 0.2.</summary>
    public static Module MlpDeep(ModelOptions o) =>
        Stack(o, [256, 128, 64], _ => [new ReLU(), new Dropout(o.Dropout ?? 0.2f)]);

    /// <summary>
    /// Flatten, then per hidden width a Linear followed by <paramref name="after"/>'s layers, then the classifier.
    /// With <see cref="ModelOptions.Patch"/> set, Patchify replaces the Flatten, the hidden layers run on every
    /// patch with shared weights, and PatchMean averages each image's patch features before the classifier
    /// (the patch MLP of report 002's course: per-patch features, then their mean).
    /// </summary>
    private static Sequential Stack(ModelOptions o, int[] widths, Func<int, Module[]> after)
    {
        var layers = new List<Module>();
        int features = o.Features, patches = 0;
        if (o.Patch > 0)
        {
            var patchify = new Patchify(o.Patch);
            var rows = patchify.OutputShape(new Tensors.Shape(1, o.Channels, o.Height, o.Width));
            (patches, features) = (rows[0], rows[1]);
            layers.Add(patchify);
        }
        else layers.Add(new Flatten());
        foreach (int width in widths)
        {
            layers.Add(new Linear(features, width));
            layers.AddRange(after(width));
            features = width;
        }
        if (patches > 0) layers.Add(new PatchMean(patches));
        layers.Add(new Linear(features, o.Classes));
        return new Sequential([.. layers]);
    }
}
