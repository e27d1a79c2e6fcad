using Atelier.Nn;

namespace Atelier.Models;

/// <summary>
/// VGG (3x3 convolutions, 2x2 max-pools) adapted to 28x28 inputs: four pools instead of five (28 → 14 → 7 → 3 → 1),
/// batch norm after each convolution (what makes VGG trainable from scratch here; report 002's plain attempt failed),
/// and a 512-wide classifier instead of 4096 for a 1x1x512 feature.
/// </summary>
public static class Vggs
{
    private const int Pool = 0;

    public static Module Vgg11(ModelOptions o) => Build(o, [64, Pool, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512]);

    public static Module Vgg16(ModelOptions o) => Build(o, [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512]);

    private static Sequential Build(ModelOptions o, int[] config)
    {
        var layers = new List<Module>();
        int inC = o.Channels, h = o.Height, w = o.Width;
        foreach (int outC in config)
        {
            if (outC == Pool)
            {
                layers.Add(new MaxPool2d(2));
                (h, w) = (h / 2, w / 2);
                continue;
            }
            layers.Add(Cnns.Conv(inC, outC, 3, 1, 1));
            if (o.BatchNorm) layers.Add(new BatchNorm2d(outC));
            layers.Add(new ReLU());
            inC = outC;
        }
        float p = o.Dropout ?? 0.5f;
        layers.AddRange([new Flatten(), new Linear(inC * h * w, 512), new ReLU(), new Dropout(p)]);
        layers.AddRange([new Linear(512, 512), new ReLU(), new Dropout(p), new Linear(512, o.Classes)]);
        return new Sequential([.. layers]);
    }
}
