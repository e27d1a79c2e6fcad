using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models;

/// <summary>One row of a Keras-style summary: the layer's state-dict index, what it is, its output shape, parameters and FLOPs.</summary>
public sealed record LayerRow(string Index, string Layer, Shape OutputShape, long Parameters, long Flops);

/// <summary>Keras' model.summary() / torchsummary: a layer table for one sample.</summary>
public static class ModelSummary
{
    public static List<LayerRow> Rows(Module model, Shape sampleInput)
    {
        var rows = new List<LayerRow>();
        var shape = sampleInput;
        if (model is Sequential sequential)
        {
            for (int i = 0; i < sequential.Layers.Count; i++)
            {
                var layer = sequential.Layers[i];
                long flops = layer.Flops(shape);
                shape = layer.OutputShape(shape);
                rows.Add(new LayerRow(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layer.Describe(), shape, layer.ParameterCount(), flops));
            }
        }
        else rows.Add(new LayerRow("", model.Describe(), model.OutputShape(shape), model.ParameterCount(), model.Flops(shape)));
        return rows;
    }

    /// <summary>FLOPs of one forward pass of one sample.</summary>
    public static long Flops(Module model, Shape sampleInput) => model.Flops(sampleInput);
}
