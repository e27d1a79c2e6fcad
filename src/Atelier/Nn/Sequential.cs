using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>Layers applied in order; children are named "0", "1"... as in torch.nn.Sequential.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] layers;
    private readonly string[] names;

    public Sequential(params Module[] layers)
    {
        this.layers = layers;
        names = new string[layers.Length];
        for (int i = 0; i < layers.Length; i++) names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Module> Layers => layers;

    /// <summary>Off switch for the BatchNorm + ReLU fusion, for comparisons and tests.</summary>
    public static bool FuseBatchNormReLU { get; set; } = true;

    /// <summary>Whether <paramref name="layer"/> and the one after it run as one fused BatchNorm + ReLU step.</summary>
    public static bool Fuses(Module layer, Module? next) => FuseBatchNormReLU && layer is BatchNorm && next is ReLU;

    public Module this[int index] => layers[index];

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            // BatchNorm then ReLU, the CNNs' most common pair, runs fused: same results, less memory traffic.
            if (Fuses(layers[i], i + 1 < layers.Length ? layers[i + 1] : null))
            {
                x = ((BatchNorm)layers[i]).ForwardWithReLU(x);
                i++;
                continue;
            }
            x = layers[i].Forward(x);
        }
        return x;
    }

    public override Shape OutputShape(Shape input)
    {
        foreach (var layer in layers) input = layer.OutputShape(input);
        return input;
    }

    public override long Flops(Shape input)
    {
        long flops = 0;
        foreach (var layer in layers)
        {
            flops += layer.Flops(input);
            input = layer.OutputShape(input);
        }
        return flops;
    }

    public override IEnumerable<(string Name, Module Module)> Children()
    {
        for (int i = 0; i < layers.Length; i++) yield return (names[i], layers[i]);
    }

    public override string Describe() => $"Sequential({layers.Length} layers)";
}
