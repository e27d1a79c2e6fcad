using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// 2-d convolution over [N, inC, H, W] as torch.nn.Conv2d: weight [outC, inC, kh, kw], optional bias [outC],
/// stride and zero padding per dimension (an int means both). Output [N, outC, OH, OW].
/// </summary>
public sealed class Conv2d : Module, IBackward
{
    private Tensor? input, output;
    private ConvGeometry geometry;

    /// <summary>The geometry of the last forward pass (batch, channels, sizes): what the benchmarks time a layer on.</summary>
    internal ConvGeometry LastGeometry => geometry;
    private float[] columns = [], staging = [], unpooled = [];

    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool bias = true)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Conv2d needs positive channel counts, got {inChannels} -> {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        new ConvGeometry(1, inChannels, kernelSize.Height, kernelSize.Width, outChannels, KernelSize, Stride, Padding).Validate("Conv2d");
        Weight = NewParameter(new Shape(outChannels, inChannels, kernelSize.Height, kernelSize.Width));
        Bias = bias ? NewParameter(new Shape(outChannels)) : null;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2d KernelSize { get; }
    public Size2d Stride { get; }
    public Size2d Padding { get; }

    /// <summary>[outC, inC, kh, kw].</summary>
    public Tensor Weight { get; }

    /// <summary>[outC], or null when built with bias: false.</summary>
    public Tensor? Bias { get; }

    /// <summary>
    /// Inference only (<see cref="Inference.InferenceFolding"/>): a ReLU applied as the output is written. Such a layer
    /// has no gradient, so it refuses to run while the tape records.
    /// </summary>
    public bool FusedReLU { get; init; }

    /// <summary>
    /// Inference only (<see cref="Inference.InferenceFolding"/>): the output max-pooled 2x2 with stride 2 as it is written,
    /// the MaxPool2d(2) that followed the layer: output [N, outC, OH / 2, OW / 2]. Refuses to run while the tape records.
    /// </summary>
    public bool FusedMaxPool { get; init; }

    /// <summary>
    /// Inference only: the weights will not change, so what the kernels derive from them (Winograd's transformed
    /// filters, the weights packed for few output pixels) is computed once. Refuses to run while the tape records.
    /// </summary>
    public bool Frozen { get; init; }

    private WinogradFilters? winograd;
    private GemmPackedRight? packed, packedCentre;

    public override Tensor Forward(Tensor input)
    {
        geometry = GeometryFor(input.Shape);
        var g = geometry;
        this.input = input;
        var y = Tensor.Ensure(ref output, OutputShapeOf(g));
        EnsureScratch(g);
        bool needsGrad = input.RequiresGrad || Weight.RequiresGrad || (Bias?.RequiresGrad ?? false);
        if ((FusedReLU || FusedMaxPool || Frozen) && needsGrad && Tape.IsRecording)
            throw new InvalidOperationException($"{Describe()} belongs to a model folded for inference: run it under Tape.NoGrad().");
        var bias = Bias is null ? default : Bias.Span;
        if (Frozen && !FusedMaxPool && PackedWeightConvolution.AsCentreTap(g) is { } centre && PackedWeightConvolution.Prefers(centre))
        {
            packedCentre ??= PackedWeightConvolution.PrepareCentre(Weight.Span, InChannels, OutChannels, KernelSize);
            PackedWeightConvolution.Forward(y.Span, input.Span, packedCentre, bias, centre, columns, FusedReLU);
            Tape.Record(this, y, needsGrad);
            return y;
        }
        // What the kernels derive from frozen weights is made once: the packed weights for few output pixels, else
        // Winograd's filters for the tile size this geometry takes (again if a later input's size takes the other one).
        bool packs = Frozen && PackedWeightConvolution.Prefers(g);
        if (packs) packed ??= PackedWeightConvolution.Prepare(Weight.Span, InChannels, OutChannels, KernelSize);
        else if (Frozen && WinogradConvolution.Handles(g, prepared: true) && winograd?.Tile != WinogradConvolution.TileFor(g))
            winograd = WinogradConvolution.Prepare(Weight.Span, InChannels, OutChannels, WinogradConvolution.TileFor(g));
        if (FusedMaxPool)
        {
            // The whole output is written first only where the kernel cannot pool as it writes.
            if (!Convolution.PoolsInPlace(g, prepared: winograd is not null, packed: packs) && unpooled.Length < (long)g.N * g.OutC * g.OutPlane)
                unpooled = new float[g.N * g.OutC * g.OutPlane];
            Convolution.ForwardPooled(y.Span, input.Span, Weight.Span, bias, g, columns, staging, unpooled, FusedReLU, winograd, packs ? packed : null);
        }
        else Convolution.Forward(y.Span, input.Span, Weight.Span, bias, g, columns, staging, FusedReLU, winograd, packs ? packed : null);
        Tape.Record(this, y, needsGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad) return;
        var g = geometry;
        Span<float> dx = default, dw = default, db = default;
        bool accX = false, accW = false, accB = false;
        if (input!.RequiresGrad) dx = input.GradForWrite(out accX);
        if (Weight.RequiresGrad) dw = Weight.GradForWrite(out accW);
        if (Bias is { RequiresGrad: true }) db = Bias.GradForWrite(out accB);
        Convolution.Backward(dx, accX, dw, accW, db, accB, output.Grad!.Span, input.Span, Weight.Span, g, columns, staging);
    }

    private void EnsureScratch(in ConvGeometry g)
    {
        int c = Convolution.ColumnsLength(g, packed: Frozen), s = Convolution.StagingLength(g);
        if (columns.Length < c) columns = new float[c];
        if (staging.Length < s) staging = new float[s];
    }

    private ConvGeometry GeometryFor(Shape input)
    {
        if (input.Rank != 4 || input[1] != InChannels)
            throw new ArgumentException($"Conv2d({InChannels} -> {OutChannels}) expects input [N, {InChannels}, H, W], got {input}.");
        var g = new ConvGeometry(input[0], input[1], input[2], input[3], OutChannels, KernelSize, Stride, Padding);
        g.Validate("Conv2d");
        return g;
    }

    public override Shape OutputShape(Shape input) => OutputShapeOf(GeometryFor(input));

    private Shape OutputShapeOf(in ConvGeometry g)
    {
        if (!FusedMaxPool) return new Shape(g.N, g.OutC, g.OH, g.OW);
        if (g.OH < 2 || g.OW < 2) throw new ArgumentException($"{Describe()}: a 2x2 max pool does not fit its {g.OH}x{g.OW} output.");
        return new Shape(g.N, g.OutC, g.OH / 2, g.OW / 2);
    }

    public override long Flops(Shape input)
    {
        var g = GeometryFor(input);
        return 2L * g.N * g.OutC * g.OutPlane * g.ColumnRows;
    }

    protected override IEnumerable<(string Name, Tensor Tensor)> LocalParameters()
    {
        yield return ("weight", Weight);
        if (Bias is not null) yield return ("bias", Bias);
    }

    /// <summary>PyTorch's default: U(-1/√fan_in, 1/√fan_in) for weight and bias (kaiming_uniform with a = √5), fan_in = inC·kh·kw.</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InChannels * KernelSize.Height * KernelSize.Width);
        var w = Weight.Span;
        for (int i = 0; i < w.Length; i++) w[i] = rng.Uniform(-bound, bound);
        if (Bias is null) return;
        var b = Bias.Span;
        for (int i = 0; i < b.Length; i++) b[i] = rng.Uniform(-bound, bound);
    }

    public override string Describe()
    {
        var text = $"Conv2d({InChannels} -> {OutChannels}, kernel {KernelSize.Height}x{KernelSize.Width}";
        if (Stride != new Size2d(1, 1)) text += $", stride {Stride}";
        if (Padding != new Size2d(0, 0)) text += $", padding {Padding}";
        if (Bias is null) text += ", no bias";
        if (FusedReLU) text += ", ReLU";
        if (FusedMaxPool) text += ", max-pool 2x2";
        return text + ")";
    }
}
