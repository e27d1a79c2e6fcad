using Atelier.Tensors;

namespace Atelier.Nn.Inference;

/// <summary>
/// An eval-mode model rewritten for prediction, as ONNX Runtime and TensorRT rewrite theirs: batch norm folded into
/// the convolution or linear layer before it (W·s, (b − mean)·s + β with s = γ/√(var + ε)), a batch norm that follows
/// an activation folded into the next linear layer instead (Linear(a⊙x + d) = (W·diag a)x + (W·d + b); dropout
/// between them is the identity in eval mode), dropout dropped, a ReLU after a convolution or a residual add
/// applied as that layer writes its output (after a linear layer, in place), and a 2x2 max pool of stride 2 after a
/// convolution (and its ReLU) taken as the convolution writes (see Conv2d.FusedMaxPool). The outputs equal the eval-mode model's
/// up to float rounding. The convolutions and linear layers it writes are frozen, so their Winograd filters are
/// transformed, and their weights packed, once.
/// The result reuses the layers it does not rewrite (pools, activations...), which own their output buffers:
/// give it a model no one else runs, e.g. a second copy loaded from the same state.
/// </summary>
public static class InferenceFolding
{
    /// <summary>The folded model, in eval mode.</summary>
    public static Module Fold(Module model) => FoldModule(model).Eval();

    private static Module FoldModule(Module model) => model switch
    {
        Sequential s => FoldSequence(s.Layers),
        Residual r => new Residual(FoldModule(r.Body), r.Projection is null ? null : FoldModule(r.Projection)),
        _ => model,
    };

    private static Module FoldSequence(IReadOnlyList<Module> source)
    {
        var layers = new List<Module>();
        for (int i = 0; i < source.Count; i++)
        {
            var layer = FoldModule(source[i]);
            var next = i + 1 < source.Count ? source[i + 1] : null;
            switch (layer)
            {
                case Dropout:
                    continue;
                case Conv2d conv when next is BatchNorm2d norm:
                    layer = FoldConv(conv, norm);
                    i++;
                    break;
                case Linear linear when next is BatchNorm1d norm:
                    layer = FoldLinear(linear, norm);
                    i++;
                    break;
                case BatchNorm1d norm when NextLinear(source, i + 1) is int j && ((Linear)source[j]).InFeatures == norm.Channels:
                    // The affine map moves into the linear layer; the dropouts in between vanish in eval mode.
                    layer = FoldIntoLinear(norm, (Linear)source[j]);
                    i = j;
                    break;
            }
            // A linear layer left as it is gets a frozen copy, whose weights are packed once.
            if (layer is Linear { Frozen: false } plain) layer = FrozenCopy(plain);
            if (layer is Conv2d convolution)
            {
                // The ReLU and a 2x2 max pool after it move into the convolution's output pass.
                bool relu = i + 1 < source.Count && source[i + 1] is ReLU;
                if (relu) i++;
                bool pool = i + 1 < source.Count && source[i + 1] is MaxPool2d { KernelSize: { Height: 2, Width: 2 }, Stride: { Height: 2, Width: 2 }, Padding: { Height: 0, Width: 0 } };
                if (pool) i++;
                layers.Add(relu || pool ? WithEpilogue(convolution, relu, pool) : convolution);
                continue;
            }
            if (i + 1 < source.Count && source[i + 1] is ReLU && layer is Linear or Residual)
            {
                // The ReLU moves into the layer's output pass (a linear layer's output is small: an in-place pass).
                layers.Add(layer is Residual block ? new Residual(block.Body, block.Projection) { FusedReLU = true } : layer);
                if (layer is Linear) layers.Add(new InPlaceReLU());
                i++;
                continue;
            }
            layers.Add(layer);
        }
        return layers.Count == 1 ? layers[0] : new Sequential([.. layers]);
    }

    // The index of the Linear that follows position i after nothing but dropouts, if any.
    private static int? NextLinear(IReadOnlyList<Module> layers, int i)
    {
        while (i < layers.Count && layers[i] is Dropout) i++;
        return i < layers.Count && layers[i] is Linear ? i : null;
    }

    /// <summary>Per channel: scale s = γ/√(var + ε) and shift d = β − mean·s, so that BN(x) = s·x + d.</summary>
    private static (double[] Scale, double[] Shift) Affine(BatchNorm norm)
    {
        var gamma = norm.Weight.Span;
        var beta = norm.Bias.Span;
        var mean = norm.RunningMean.Span;
        var variance = norm.RunningVar.Span;
        var scale = new double[norm.Channels];
        var shift = new double[norm.Channels];
        for (int c = 0; c < scale.Length; c++)
        {
            scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)norm.Eps);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return (scale, shift);
    }

    private static Conv2d FoldConv(Conv2d conv, BatchNorm2d norm)
    {
        var folded = new Conv2d(conv.InChannels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, bias: true) { Frozen = true };
        ScaleRows(folded.Weight.Span, folded.Bias!.Span, conv.Weight.Span, conv.Bias is null ? default : conv.Bias.Span, Affine(norm));
        return Frozen(folded);
    }

    // The same convolution (folded or not) writing max(·, 0) and / or the 2x2 maxima of its output.
    private static Conv2d WithEpilogue(Conv2d conv, bool relu, bool pool)
    {
        var fused = new Conv2d(conv.InChannels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, bias: conv.Bias is not null)
        {
            FusedReLU = relu, FusedMaxPool = pool, Frozen = true,
        };
        conv.Weight.Span.CopyTo(fused.Weight.Span);
        conv.Bias?.Span.CopyTo(fused.Bias!.Span);
        return Frozen(fused);
    }

    private static Linear FrozenCopy(Linear linear)
    {
        var frozen = new Linear(linear.InFeatures, linear.OutFeatures, bias: linear.Bias is not null) { Frozen = true };
        linear.Weight.Span.CopyTo(frozen.Weight.Span);
        linear.Bias?.Span.CopyTo(frozen.Bias!.Span);
        return Frozen(frozen);
    }

    private static Linear FoldLinear(Linear linear, BatchNorm1d norm)
    {
        var folded = new Linear(linear.InFeatures, linear.OutFeatures, bias: true) { Frozen = true };
        ScaleRows(folded.Weight.Span, folded.Bias!.Span, linear.Weight.Span, linear.Bias is null ? default : linear.Bias.Span, Affine(norm));
        return Frozen(folded);
    }

    // Row o of the weight (one output channel) times s[o]; bias (b[o] − mean[o])·s[o] + β[o] = b[o]·s[o] + d[o].
    private static void ScaleRows(Span<float> weight, Span<float> bias, ReadOnlySpan<float> sourceWeight, ReadOnlySpan<float> sourceBias,
        (double[] Scale, double[] Shift) affine)
    {
        var (scale, shift) = affine;
        int row = weight.Length / scale.Length;
        for (int o = 0; o < scale.Length; o++)
        {
            for (int k = 0; k < row; k++) weight[o * row + k] = (float)(sourceWeight[o * row + k] * scale[o]);
            bias[o] = (float)((sourceBias.IsEmpty ? 0 : sourceBias[o]) * scale[o] + shift[o]);
        }
    }

    // Column i of the weight (one input feature) times s[i]; the bias gains W·d.
    private static Linear FoldIntoLinear(BatchNorm1d norm, Linear linear)
    {
        var (scale, shift) = Affine(norm);
        var folded = new Linear(linear.InFeatures, linear.OutFeatures, bias: true) { Frozen = true };
        var w = folded.Weight.Span;
        var source = linear.Weight.Span;
        for (int o = 0; o < linear.OutFeatures; o++)
        {
            double b = linear.Bias is null ? 0 : linear.Bias.Span[o];
            for (int i = 0; i < linear.InFeatures; i++)
            {
                float v = source[o * linear.InFeatures + i];
                w[o * linear.InFeatures + i] = (float)(v * scale[i]);
                b += v * shift[i];
            }
            folded.Bias!.Span[o] = (float)b;
        }
        return Frozen(folded);
    }

    private static T Frozen<T>(T module) where T : Module
    {
        foreach (var p in module.Parameters()) p.RequiresGrad = false;
        return module;
    }
}
