using Atelier.Nn;

namespace Atelier.Models;

/// <summary>The convolutional models of the reports, and Atelier's default CNN.</summary>
public static class Cnns
{
    /// <summary>
    /// The small CNN: two conv blocks (32 and 64 channels, BN, ReLU, max-pool), FC 128 with dropout 0.3.
    /// The one performance.md measures PyTorch on.
    /// </summary>
    public static Module Cnn(ModelOptions o)
    {
        var layers = new List<Module>();
        ConvBlock(layers, o, o.Channels, 32, pool: true);
        ConvBlock(layers, o, 32, 64, pool: true);
        layers.Add(new Flatten());
        layers.Add(new Linear(64 * (o.Height / 4) * (o.Width / 4), 128));
        layers.Add(new ReLU());
        layers.Add(new Dropout(o.Dropout ?? 0.3f));
        layers.Add(new Linear(128, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>000/001 "CNN": 4 conv blocks (128,128, pool, 256,256, pool), global average pool, FC 128, FC 64, FC 10.</summary>
    public static Module CnnWide(ModelOptions o)
    {
        float p = o.Dropout ?? 0.2f;
        var layers = new List<Module>();
        int inC = o.Channels;
        foreach (int outC in (ReadOnlySpan<int>)[128, 128, 0, 256, 256, 0])
        {
            if (outC == 0) { layers.Add(new MaxPool2d(2)); continue; }
            layers.Add(Conv(inC, outC, 3, 1, 1));
            layers.Add(new ReLU());
            if (o.BatchNorm) layers.Add(new BatchNorm2d(outC));
            layers.Add(new Dropout(p));
            inC = outC;
        }
        layers.Add(new AdaptiveAvgPool2d(1));
        layers.Add(new Flatten());
        foreach (int width in (ReadOnlySpan<int>)[128, 64])
        {
            layers.Add(new Linear(inC, width));
            layers.Add(new ReLU());
            if (o.BatchNorm) layers.Add(new BatchNorm1d(width));
            layers.Add(new Dropout(p));
            inC = width;
        }
        layers.Add(new Linear(inC, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>002 model 3 "CNN A": two tiny conv blocks of 4 channels with BN, then one Linear (196 → 10).</summary>
    public static Module CnnA(ModelOptions o)
    {
        var layers = new List<Module>();
        ConvBlock(layers, o, o.Channels, 4, pool: true);
        ConvBlock(layers, o, 4, 4, pool: true);
        layers.Add(new Flatten());
        layers.Add(new Linear(4 * (o.Height / 4) * (o.Width / 4), o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>002 model 4 "CNN B": Conv 32 with padding (1, 0) (28x26 out), max-pool, FC 100, FC 10.</summary>
    public static Module CnnB(ModelOptions o) => new Sequential(
        Conv(o.Channels, 32, 3, 1, 0), new ReLU(), new MaxPool2d(2),
        new Flatten(),
        new Linear(32 * (o.Height / 2) * ((o.Width - 2) / 2), 100), new ReLU(),
        new Linear(100, o.Classes));

    /// <summary>002 model 5 "CNN C": Conv 32 (padding (1, 0)), pool, Conv 4 + BN, pool (4x7x6), FC 100, FC 150 with LeakyReLU and dropout.</summary>
    public static Module CnnC(ModelOptions o)
    {
        float p = o.Dropout ?? 0.2f;
        var layers = new List<Module> { Conv(o.Channels, 32, 3, 1, 0), new ReLU(), new MaxPool2d(2), Conv(32, 4, 3, 1, 1) };
        if (o.BatchNorm) layers.Add(new BatchNorm2d(4));
        layers.AddRange([new ReLU(), new MaxPool2d(2), new Flatten()]);
        int h = o.Height / 2 / 2, w = (o.Width - 2) / 2 / 2;
        layers.AddRange([new Linear(4 * h * w, 100), new LeakyReLU(), new Dropout(p)]);
        layers.AddRange([new Linear(100, 150), new LeakyReLU(), new Dropout(p)]);
        layers.Add(new Linear(150, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>003 "Simple CNN" (Keras style, valid padding): Conv 32, pool, Conv 64, pool, FC 128, FC 10.</summary>
    public static Module CnnSimple(ModelOptions o) => Keras(o, dropout: false, batchNorm: false);

    /// <summary>003 "Dropout CNN": the simple CNN with dropout 0.25 after each pool and 0.5 before the classifier.</summary>
    public static Module CnnDropout(ModelOptions o) => Keras(o, dropout: true, batchNorm: false);

    /// <summary>
    /// 003 "Deep CNN with BN" and Atelier's default: two conv layers per block (32, 64) with BN, light dropout
    /// (0.1 after each block, 0.2 before the classifier: with augmentation, more only slows it down), FC 512 + BN.
    /// </summary>
    public static Module CnnDeepBn(ModelOptions o)
    {
        float p = o.Dropout ?? 0.1f;
        var layers = new List<Module>();
        int inC = o.Channels;
        foreach (int outC in (ReadOnlySpan<int>)[32, 64])
        {
            ConvBlock(layers, o, inC, outC, pool: false);
            ConvBlock(layers, o, outC, outC, pool: true);
            layers.Add(new Dropout(p));
            inC = outC;
        }
        layers.Add(new Flatten());
        layers.Add(new Linear(64 * (o.Height / 4) * (o.Width / 4), 512));
        layers.Add(new ReLU());
        if (o.BatchNorm) layers.Add(new BatchNorm1d(512));
        layers.Add(new Dropout(Doubled(p, "cnn-deep-bn")));
        layers.Add(new Linear(512, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>004 baseline: Conv 32 (pad 1) → pool → Conv 64 → pool → FC 600 → FC 120 → FC 10, no regularisation.</summary>
    public static Module CnnBasic(ModelOptions o) => Ignite(o, dropout: 0);

    /// <summary>004 "better": the baseline with dropout 0.5 on the two hidden FC layers.</summary>
    public static Module CnnBetter(ModelOptions o) => Ignite(o, dropout: o.Dropout ?? 0.5f);

    private static Sequential Ignite(ModelOptions o, float dropout)
    {
        var layers = new List<Module>
        {
            Conv(o.Channels, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
            Conv(32, 64, 3, 0, 0), new ReLU(), new MaxPool2d(2),
            new Flatten(),
        };
        int h = (o.Height / 2 - 2) / 2, w = (o.Width / 2 - 2) / 2;
        int inFeatures = 64 * h * w;
        foreach (int width in (ReadOnlySpan<int>)[600, 120])
        {
            layers.Add(new Linear(inFeatures, width));
            layers.Add(new ReLU());
            if (dropout > 0) layers.Add(new Dropout(dropout));
            inFeatures = width;
        }
        layers.Add(new Linear(inFeatures, o.Classes));
        return new Sequential([.. layers]);
    }

    // The rate before the classifier is twice the others (the reports' 0.25/0.5 and 0.1/0.2), so it must stay below 1.
    private static float Doubled(float p, string model) => 2 * p < 1 ? 2 * p
        : throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"--dropout {p} is too high for {model}: its dropout before the classifier is twice that, {2 * p}, and a rate must be below 1; use --dropout below 0.5."));

    private static Sequential Keras(ModelOptions o, bool dropout, bool batchNorm)
    {
        float p = o.Dropout ?? 0.25f;
        var layers = new List<Module> { Conv(o.Channels, 32, 3, 0, 0), new ReLU(), new MaxPool2d(2) };
        if (dropout) layers.Add(new Dropout(p));
        layers.AddRange([Conv(32, 64, 3, 0, 0), new ReLU(), new MaxPool2d(2)]);
        if (dropout) layers.Add(new Dropout(p));
        layers.Add(new Flatten());
        int h = ((o.Height - 2) / 2 - 2) / 2, w = ((o.Width - 2) / 2 - 2) / 2;
        layers.AddRange([new Linear(64 * h * w, 128), new ReLU()]);
        if (dropout) layers.Add(new Dropout(Doubled(p, "cnn-dropout")));
        layers.Add(new Linear(128, o.Classes));
        return new Sequential([.. layers]);
    }

    /// <summary>Conv 3x3 (padding 1) → BN → ReLU (→ MaxPool 2).</summary>
    internal static void ConvBlock(List<Module> layers, ModelOptions o, int inC, int outC, bool pool)
    {
        layers.Add(Conv(inC, outC, 3, 1, 1));
        if (o.BatchNorm) layers.Add(new BatchNorm2d(outC));
        layers.Add(new ReLU());
        if (pool) layers.Add(new MaxPool2d(2));
    }

    internal static Conv2d Conv(int inC, int outC, int kernel, int padH, int padW) =>
        new(inC, outC, (kernel, kernel), stride: (1, 1), padding: (padH, padW));
}
