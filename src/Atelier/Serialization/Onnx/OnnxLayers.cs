using Atelier.Nn;
using Atelier.Serialization.Onnx.Proto;
using Atelier.Tensors;

namespace Atelier.Serialization.Onnx;

/// <summary>
/// Maps each layer of a module tree to ONNX operators, in eval mode: batch norm with its running statistics, dropout
/// left out. Shapes are followed with a batch of 1 (only Patchify and PatchMean need them); the batch itself stays free
/// in the graph (reshapes infer it with -1).
/// </summary>
internal static class OnnxLayers
{
    /// <summary>Emits <paramref name="module"/> (state-dict name <paramref name="name"/>) reading <paramref name="input"/>; returns its output value.</summary>
    public static string Emit(OnnxGraphBuilder g, Module module, string name, string input, ref Shape shape)
    {
        var inputShape = shape;
        shape = module.OutputShape(shape);
        return module switch
        {
            Sequential s => EmitSequential(g, s, name, input, ref inputShape),
            Residual r => EmitResidual(g, r, name, input, inputShape),
            Linear l => EmitLinear(g, l, name, input),
            Conv2d c => EmitConv(g, c, name, input),
            BatchNorm b => g.Node("BatchNormalization", name,
                [input, g.Weight(Child(name, "weight"), b.Weight), g.Weight(Child(name, "bias"), b.Bias),
                 g.Weight(Child(name, "running_mean"), b.RunningMean), g.Weight(Child(name, "running_var"), b.RunningVar)],
                AttributeProto.Float("epsilon", b.Eps)),
            MaxPool2d p => g.Node("MaxPool", name, [input], PoolAttributes(p)),
            // count_include_pad: Atelier, like PyTorch's default, divides by the whole window, padding included.
            AvgPool2d p => g.Node("AveragePool", name, [input], [.. PoolAttributes(p), AttributeProto.Int("count_include_pad", 1)]),
            AdaptiveAvgPool2d => g.Node("GlobalAveragePool", name, [input]),
            Flatten => g.Node("Flatten", name, [input], AttributeProto.Int("axis", 1)),
            Patchify p => EmitPatchify(g, p, name, input, inputShape),
            PatchMean m => EmitPatchMean(g, m, name, input, inputShape),
            // Eval-mode semantics: dropout is the identity, so it leaves no node.
            Dropout or Identity => input,
            ReLU => g.Node("Relu", name, [input]),
            Sigmoid => g.Node("Sigmoid", name, [input]),
            Tanh => g.Node("Tanh", name, [input]),
            LeakyReLU a => g.Node("LeakyRelu", name, [input], AttributeProto.Float("alpha", a.NegativeSlope)),
            ELU a => g.Node("Elu", name, [input], AttributeProto.Float("alpha", a.Alpha)),
            GELU => EmitGelu(g, name, input),
            Nn.Softmax a => g.Node("Softmax", name, [input], AttributeProto.Int("axis", a.Dim)),
            LogSoftmax a => g.Node("LogSoftmax", name, [input], AttributeProto.Int("axis", a.Dim)),
            _ => throw new NotSupportedException(
                $"ONNX export has no mapping for the layer {(name.Length == 0 ? "at the root" : $"'{name}'")} ({module.Describe()}), so this model cannot be exported."),
        };
    }

    private static string EmitSequential(OnnxGraphBuilder g, Sequential s, string name, string input, ref Shape shape)
    {
        string x = input;
        foreach (var (child, layer) in s.Children()) x = Emit(g, layer, Child(name, child), x, ref shape);
        return x;
    }

    private static string EmitResidual(OnnxGraphBuilder g, Residual r, string name, string input, Shape shape)
    {
        var bodyShape = shape;
        string body = Emit(g, r.Body, Child(name, "body"), input, ref bodyShape);
        string shortcut = input;
        if (r.Projection is not null)
        {
            var shortcutShape = shape;
            shortcut = Emit(g, r.Projection, Child(name, "shortcut"), input, ref shortcutShape);
        }
        return g.Node("Add", name, [body, shortcut]);
    }

    private static string EmitLinear(OnnxGraphBuilder g, Linear l, string name, string input)
    {
        // Gemm with transB computes x·Wᵀ + b from torch.nn.Linear's [out, in] weight as saved.
        List<string> inputs = [input, g.Weight(Child(name, "weight"), l.Weight)];
        if (l.Bias is not null) inputs.Add(g.Weight(Child(name, "bias"), l.Bias));
        return g.Node("Gemm", name, inputs, AttributeProto.Int("transB", 1));
    }

    private static string EmitConv(OnnxGraphBuilder g, Conv2d c, string name, string input)
    {
        List<string> inputs = [input, g.Weight(Child(name, "weight"), c.Weight)];
        if (c.Bias is not null) inputs.Add(g.Weight(Child(name, "bias"), c.Bias));
        return g.Node("Conv", name, inputs,
            AttributeProto.IntList("kernel_shape", c.KernelSize.Height, c.KernelSize.Width),
            AttributeProto.IntList("strides", c.Stride.Height, c.Stride.Width),
            AttributeProto.IntList("pads", c.Padding.Height, c.Padding.Width, c.Padding.Height, c.Padding.Width));
    }

    private static AttributeProto[] PoolAttributes(Pool2d p) =>
    [
        AttributeProto.IntList("kernel_shape", p.KernelSize.Height, p.KernelSize.Width),
        AttributeProto.IntList("strides", p.Stride.Height, p.Stride.Width),
        AttributeProto.IntList("pads", p.Padding.Height, p.Padding.Width, p.Padding.Height, p.Padding.Width),
    ];

    /// <summary>
    /// [N, C, H, W] → [N·P, C·k·k] as Patchify lays it out: split H and W into (H/k, k) and (W/k, k), bring the patch
    /// grid forward ([N, H/k, W/k, C, k, k]), then one row per patch.
    /// </summary>
    private static string EmitPatchify(OnnxGraphBuilder g, Patchify p, string name, string input, Shape shape)
    {
        int c = shape[1], h = shape[2], w = shape[3], k = p.Size;
        string split = g.Node("Reshape", name, [input, g.Int64(Child(name, "grid_shape"), -1, c, h / k, k, w / k, k)]);
        string grid = g.Node("Transpose", name, [split], AttributeProto.IntList("perm", 0, 2, 4, 1, 3, 5));
        return g.Node("Reshape", name, [grid, g.Int64(Child(name, "rows_shape"), -1, (long)c * k * k)]);
    }

    /// <summary>[N·P, D] → [N, P, D] → the mean over P.</summary>
    private static string EmitPatchMean(OnnxGraphBuilder g, PatchMean m, string name, string input, Shape shape)
    {
        string images = g.Node("Reshape", name, [input, g.Int64(Child(name, "images_shape"), -1, m.Patches, shape[1])]);
        // Opsets 13 to 17 take ReduceMean's axes as an attribute (18 made it an input; OnnxOpset stops at 17).
        return g.Node("ReduceMean", name, [images], AttributeProto.IntList("axes", 1), AttributeProto.Int("keepdims", 0));
    }

    /// <summary>x · Φ(x) = x · (1 + erf(x / √2)) / 2, GELU's exact form (ONNX's own Gelu op arrives only in opset 20).</summary>
    private static string EmitGelu(OnnxGraphBuilder g, string name, string input)
    {
        string scaled = g.Node("Div", name, [input, g.Float(Child(name, "sqrt2"), [], [MathF.Sqrt(2f)])]);
        string erf = g.Node("Erf", name, [scaled]);
        string cdf = g.Node("Add", name, [erf, g.Float(Child(name, "one"), [], [1f])]);
        string product = g.Node("Mul", name, [input, cdf]);
        return g.Node("Mul", name, [product, g.Float(Child(name, "half"), [], [0.5f])]);
    }

    private static string Child(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}
