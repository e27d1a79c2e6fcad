using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// Fully connected layer, y = x·Wᵀ + b, as torch.nn.Linear: weight [out, in], bias [out], input [N, in].
/// Initialised at construction from a fixed stream; <see cref="Module.ResetAllParameters"/> re-seeds it per run.
/// </summary>
public sealed class Linear : Module, IBackward
{
    private Tensor? input, output;

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive feature counts, got {inFeatures} -> {outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = NewParameter(new Shape(outFeatures, inFeatures));
        Bias = bias ? NewParameter(new Shape(outFeatures)) : null;
        ResetParameters(new Rng(0));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    /// <summary>
    /// Inference only: the weights will not change, so they are packed for the GEMM once (batches of 8 rows on), not
    /// on every call. Refuses to run while the tape records.
    /// </summary>
    public bool Frozen { get; init; }

    private GemmPackedRight? packed;

    public override Tensor Forward(Tensor input)
    {
        var shape = OutputShape(input.Shape);
        this.input = input;
        var y = Tensor.Ensure(ref output, shape);
        bool needsGrad = input.RequiresGrad || Weight.RequiresGrad || Bias is { RequiresGrad: true };
        if (Frozen && needsGrad && Tape.IsRecording)
            throw new InvalidOperationException($"{Describe()} belongs to a model folded for inference: run it under Tape.NoGrad().");
        var bias = Bias is null ? default : Bias.Span;
        if (Frozen && Dense.PacksWeights(shape[0], OutFeatures))
        {
            packed ??= new GemmPackedRight(transB: true, InFeatures, OutFeatures, Weight.Span);
            Dense.Forward(y.Span, input.Span, packed, bias, shape[0]);
        }
        else Dense.Forward(y.Span, input.Span, Weight.Span, bias, shape[0], InFeatures, OutFeatures);
        Tape.Record(this, y, needsGrad);
        return y;
    }

    public void Backward()
    {
        var y = output!;
        if (!y.HasGrad) return;
        var dy = y.Grad!.Span;
        int n = y.Shape[0];
        bool accumulate;
        if (input!.RequiresGrad)
            Dense.BackwardInput(input.GradForWrite(out accumulate), dy, Weight.Span, n, InFeatures, OutFeatures, accumulate);
        if (Weight.RequiresGrad)
            Dense.BackwardWeight(Weight.GradForWrite(out accumulate), dy, input.Span, n, InFeatures, OutFeatures, accumulate);
        if (Bias is { RequiresGrad: true })
            Dense.BackwardBias(Bias.GradForWrite(out accumulate), dy, n, OutFeatures, accumulate);
    }

    public override Shape OutputShape(Shape input)
    {
        if (input.Rank != 2 || input[1] != InFeatures)
            throw new ArgumentException($"{Describe()} expects input of shape [N, {InFeatures}], got {input}; put a Flatten before it for images.");
        return new Shape(input[0], OutFeatures);
    }

    public override long Flops(Shape input) => 2L * OutputShape(input)[0] * InFeatures * OutFeatures;

    /// <summary>PyTorch's default: weight and bias uniform in ±1/√in (kaiming_uniform with a = √5 for the weight).</summary>
    public override void ResetParameters(Rng rng)
    {
        float bound = 1f / MathF.Sqrt(InFeatures);
        var w = Weight.Span;
        for (int i = 0; i < w.Length; i++) w[i] = rng.Uniform(-bound, bound);
        if (Bias is null) return;
        var b = Bias.Span;
        for (int i = 0; i < b.Length; i++) b[i] = rng.Uniform(-bound, bound);
    }

    protected override IEnumerable<(string Name, Tensor Tensor)> LocalParameters()
    {
        yield return ("weight", Weight);
        if (Bias is not null) yield return ("bias", Bias);
    }

    public override string Describe() => Bias is null ? $"Linear({InFeatures} -> {OutFeatures}, bias=False)" : $"Linear({InFeatures} -> {OutFeatures})";
}
