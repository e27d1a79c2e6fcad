using Atelier.Experiments;
using Xunit;

namespace Atelier.Tests.Cli;

/// <summary>--scale shortens a study (epochs, images) without changing what it compares.</summary>
public sealed class ExperimentScaleTests
{
    private static ExperimentSpec Spec(string valSize) => ExperimentSpec.Parse($"""
        name: scaled
        base: {"{"} model: mlp, epochs: 20, batch-size: 32, val-size: {valSize} {"}"}
        runs:
          - {"{"} label: a {"}"}
        """, "scaled.yaml");

    [Fact]
    public void Scale_shortens_epochs_and_every_split()
    {
        var spec = Spec("10000");
        var options = spec.OptionsFor(spec.Runs[0], 0.1);

        Assert.Equal(2, options.Epochs);
        Assert.Equal(5_000, options.TrainSize);
        Assert.Equal(1_000, options.ValSize);
        Assert.Equal(1_000, options.TestSize);
    }

    [Fact]
    public void A_study_without_a_validation_split_keeps_none_when_scaled()
    {
        var spec = Spec("0");

        Assert.Equal(0, spec.OptionsFor(spec.Runs[0], 1).ValSize);
        Assert.Equal(0, spec.OptionsFor(spec.Runs[0], 0.1).ValSize);
        Assert.Equal(6_000, spec.OptionsFor(spec.Runs[0], 0.1).TrainSize);
    }
}
