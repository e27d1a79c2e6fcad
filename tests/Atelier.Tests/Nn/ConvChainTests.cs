using Atelier.Nn;

namespace Atelier.Tests.Nn;

public sealed class ConvChainTests
{
    [Fact]
    public void Conv_BatchNorm_MaxPool_matches_PyTorch()
    {
        var f = Fixture.Load("conv_chain");
        var conv = new Conv2d(2, 4, 3, padding: 1);
        var bn = new BatchNorm2d(4);
        var model = new Sequential(conv, bn, new MaxPool2d(2));
        f["conv_weight"].Span.CopyTo(conv.Weight.Span);
        f["conv_bias"].Span.CopyTo(conv.Bias!.Span);
        var x = f["x"];
        x.RequiresGrad = true;
        var y = model.Forward(x);
        Fixture.AssertClose(f["y"].Span, y.Span, 1e-5f, 1e-5f, "y");
        ConvTestLoss.WeightedSum(y, f["gy"]).Backward();
        Fixture.AssertClose(f["dx"].Span, x.Grad!.Span, 1e-5f, 1e-5f, "dx");
        Fixture.AssertClose(f["dconv_weight"].Span, conv.Weight.Grad!.Span, 1e-5f, 1e-5f, "dconv_weight");
        Fixture.AssertClose(f["dconv_bias"].Span, conv.Bias.Grad!.Span, 1e-5f, 1e-5f, "dconv_bias");
        Fixture.AssertClose(f["dbn_weight"].Span, bn.Weight.Grad!.Span, 1e-5f, 1e-5f, "dbn_weight");
        Fixture.AssertClose(f["dbn_bias"].Span, bn.Bias.Grad!.Span, 1e-5f, 1e-5f, "dbn_bias");
        Fixture.AssertClose(f["running_mean"].Span, bn.RunningMean.Span, 1e-5f, 1e-6f, "running_mean");
        Fixture.AssertClose(f["running_var"].Span, bn.RunningVar.Span, 1e-5f, 1e-6f, "running_var");
    }
}
