using Atelier.Nn;

namespace Atelier.Models;

/// <summary>The fully connected models of the reports (000/001, 002, 003). Each starts with a Flatten.</summary>
public static class Mlps
{
    /// <summary>000/001 "ANN": 784 → 392 → 196 → 98 → 10 with ReLU.</summary>
    public static Module Mlp(ModelOptions o) => new Sequential(
        new Flatten(),
        new Linear(o.Features, 392), new ReLU(),
        new Linear(392, 196), new ReLU(),
        new Linear(196, 98), new ReLU(),
        new Linear(98, o.Classes));

    /// <summary>000/001 "ANN (modified)": each hidden block Linear → ReLU → BN → Dropout 0.2.</summary>
    public static Module MlpBn(ModelOptions o)
    {
        float p = o.Dropout ?? 0.2f;
        var layers = new List<Module> { new Flatten() };
        int inFeatures = o.Features;
        foreach (int width in (ReadOnlySpan<int>)[392, 196, 98])
        {
            layers.Add(new Linear(inFeatures, width));
            layers.Add(new ReLU());
            if (o.BatchNorm) layers.Add(new BatchNorm1d(width));
            layers.Add(new Dropout(p));
            inFeatures = width;
        }
        layers.Add(new Linear(inFeatures, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>002 model 1 "MLP4": 500 → 250 → 250 with ReLU and dropout (002 does not give the rate: 0.2).</summary>
    public static Module Mlp4(ModelOptions o) => Hidden(o, [500, 250, 250], () => new ReLU(), o.Dropout ?? 0.2f);

    /// <summary>002 model 2 "custom MLP": 900 → 500 → 450 → 250 with LeakyReLU and dropout.</summary>
    public static Module MlpCustom(ModelOptions o) => Hidden(o, [900, 500, 450, 250], () => new LeakyReLU(), o.Dropout ?? 0.2f);

    /// <summary>003 "Initial NN": one hidden layer of 32 sigmoid units.</summary>
    public static Module Dense32(ModelOptions o) => new Sequential(
        new Flatten(), new Linear(o.Features, 32), new Sigmoid(), new Linear(32, o.Classes));

    /// <summary>003 "Dropout ANN" (no exact table given): 128 ReLU units, dropout 0.2, as Keras' classic example.</summary>
    public static Module MlpDropout(ModelOptions o) => Hidden(o, [128], () => new ReLU(), o.Dropout ?? 0.2f);

    /// <summary>003 "Deep ANN" (no exact table given): two more hidden layers, 256 → 128 → 64 with dropout 0.2.</summary>
    public static Module MlpDeep(ModelOptions o) => Hidden(o, [256, 128, 64], () => new ReLU(), o.Dropout ?? 0.2f);

    /// <summary>Flatten, then per width: Linear → activation → Dropout, then the classifier.</summary>
    private static Sequential Hidden(ModelOptions o, int[] widths, Func<Module> activation, float dropout)
    {
        var layers = new List<Module> { new Flatten() };
        int inFeatures = o.Features;
        foreach (int width in widths)
        {
            layers.Add(new Linear(inFeatures, width));
            layers.Add(activation());
            layers.Add(new Dropout(dropout));
            inFeatures = width;
        }
        layers.Add(new Linear(inFeatures, o.Classes));
        return new Sequential([.. layers]);
    }
}
