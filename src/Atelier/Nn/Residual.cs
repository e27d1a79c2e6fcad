using Atelier.Autograd;
using System.Runtime.Intrinsics;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// A residual block: body(x) + shortcut(x), the shortcut being the identity or a projection (e.g. a 1x1 Conv2d
/// with stride). Children are named "body" and "shortcut", as the attributes of the equivalent PyTorch module.
/// </summary>
public sealed class Residual : Module, IBackward
{
    private Tensor? bodyOut, shortcutOut, output;

    public Residual(Module body, Module? projection = null)
    {
        Body = body;
        Projection = projection;
    }

    public Module Body { get; }

    /// <summary>The shortcut branch, or null for the identity.</summary>
    public Module? Projection { get; }

    /// <summary>Inference only (<see cref="Inference.InferenceFolding"/>): max(body + shortcut, 0) in one pass; refuses to run while the tape records.</summary>
    public bool FusedReLU { get; init; }

    public override Tensor Forward(Tensor input)
    {
        // Both branches run (and record) first, so on the reversed tape the add hands out gradients before either branch needs them.
        var b = Body.Forward(input);
        var sc = Projection is null ? input : Projection.Forward(input);
        if (b.Shape != sc.Shape)
            throw new InvalidOperationException($"Residual: the body's output {b.Shape} and the shortcut's {sc.Shape} differ; add a projection that matches them.");
        var y = Tensor.Ensure(ref output, b.Shape);
        bodyOut = b;
        shortcutOut = sc;
        bool needsGrad = b.RequiresGrad || sc.RequiresGrad;
        if (FusedReLU)
        {
            if (needsGrad && Tape.IsRecording)
                throw new InvalidOperationException("This residual block belongs to a model folded for inference: run it under Tape.NoGrad().");
            AddReLU(b.Span, sc.Span, y.Span);
        }
        else System.Numerics.Tensors.TensorPrimitives.Add(b.Span, sc.Span, y.Span);
        Tape.Record(this, y, needsGrad);
        return y;
    }

    // y = max(a + b, 0), one pass instead of an add and a ReLU.
    private static void AddReLU(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        int i = 0;
        for (; i <= y.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            Vector512.Max(Vector512.Create(a.Slice(i)) + Vector512.Create(b.Slice(i)), Vector512<float>.Zero).CopyTo(y.Slice(i));
        for (; i < y.Length; i++) y[i] = MathF.Max(a[i] + b[i], 0f);
    }

    public void Backward()
    {
        if (!output!.HasGrad) return;
        var dy = output.Grad!.Span;
        if (bodyOut!.RequiresGrad) bodyOut.AccumulateGrad(dy);
        if (shortcutOut!.RequiresGrad) shortcutOut.AccumulateGrad(dy);
    }

    public override Shape OutputShape(Shape input) => Body.OutputShape(input);

    public override long Flops(Shape input) => Body.Flops(input) + (Projection?.Flops(input) ?? 0);

    public override IEnumerable<(string Name, Module Module)> Children()
    {
        yield return ("body", Body);
        if (Projection is not null) yield return ("shortcut", Projection);
    }

    public override string Describe() => Projection is null ? "Residual" : "Residual(projection)";
}
