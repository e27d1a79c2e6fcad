using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Tests.Optim;

public sealed class GradClipTests
{
    [Theory]
    [InlineData("clipped")]
    [InlineData("unclipped")]
    public void Clip_by_norm_matches_torch_clip_grad_norm(string label)
    {
        var fixture = Fixture.Load("optim_clip");
        float maxNorm = (float)fixture.Meta.GetProperty(label).GetDouble();
        var parameters = new Tensor[3];
        for (int i = 0; i < 3; i++)
        {
            var grad = fixture[$"{label}.grad.{i}"];
            parameters[i] = new Tensor(grad.Shape) { RequiresGrad = true };
            parameters[i].AccumulateGrad(grad.Span);
        }
        float total = GradClip.ClipByNorm(parameters, maxNorm);
        Fixture.AssertClose(fixture[$"{label}.total"].Span, [total], rtol: 1e-6f, what: "total norm");
        for (int i = 0; i < 3; i++)
            Fixture.AssertClose(fixture[$"{label}.clipped.{i}"].Span, parameters[i].Grad!.Span, rtol: 1e-5f, atol: 1e-7f, what: $"grad {i}");
    }

    [Fact]
    public void Parameters_without_a_gradient_are_ignored()
    {
        var a = Tensor.Zeros(2);
        a.AccumulateGrad([3f, 4f]);
        var b = Tensor.Zeros(2);
        Assert.Equal(5f, GradClip.ClipByNorm([a, b], 1f), 5);
        Assert.Equal(0.6f, a.Grad!.Span[0], 5);
        Assert.False(b.HasGrad);
    }
}
