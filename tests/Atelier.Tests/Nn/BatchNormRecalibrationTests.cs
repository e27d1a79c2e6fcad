using Atelier.Autograd;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

public sealed class BatchNormRecalibrationTests
{
    [Fact]
    public void Running_statistics_become_the_exact_average_over_dropout_free_batches()
    {
        var rng = new Rng(3);
        var first = new Linear(6, 5);
        var dropout = new Dropout(0.5f) { Generator = rng.Fork() };
        var norm = new BatchNorm1d(5);
        var model = new Sequential(first, new ReLU(), dropout, norm, new Linear(5, 2));
        model.ResetAllParameters(rng);
        norm.NumBatchesTracked[0] = 17;
        var batches = Enumerable.Range(0, 3).Select(_ => Conv2dTests.Random(rng, 8, 6)).ToArray();
        var weights = model.Parameters().Select(p => p.ToArray()).ToArray();

        BatchNormRecalibration.Run(model, batches);

        // Naive reference: the batch norm's input without dropout, per batch mean and unbiased variance, averaged.
        var expectedMean = new double[5];
        var expectedVar = new double[5];
        foreach (var batch in batches)
        {
            var h = new double[8, 5];
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 5; j++)
                {
                    double z = first.Bias![j];
                    for (int k = 0; k < 6; k++) z += first.Weight[j * 6 + k] * batch[i * 6 + k];
                    h[i, j] = Math.Max(0, z);
                }
            for (int j = 0; j < 5; j++)
            {
                double m = 0, v = 0;
                for (int i = 0; i < 8; i++) m += h[i, j] / 8;
                for (int i = 0; i < 8; i++) v += (h[i, j] - m) * (h[i, j] - m) / 7;
                expectedMean[j] += m / 3;
                expectedVar[j] += v / 3;
            }
        }
        for (int j = 0; j < 5; j++)
        {
            Assert.Equal(expectedMean[j], norm.RunningMean[j], 5);
            Assert.Equal(expectedVar[j], norm.RunningVar[j], 5);
        }
        Assert.Equal(17, norm.NumBatchesTracked[0]);
        Assert.True(model.Training && dropout.Training && norm.Training);
        Assert.Equal(weights, model.Parameters().Select(p => p.ToArray()));
        Assert.Equal(0, Tape.Count);

        // Later training batches update a moving average again (momentum 0.1), not the exact average.
        float before = norm.RunningMean[0];
        using (Tape.NoGrad()) model.Forward(batches[0]);
        Assert.NotEqual(before, norm.RunningMean[0]);
    }

    [Theory]
    [InlineData("cnn-wide", true)]
    [InlineData("mlp-bn", true)]
    [InlineData("cnn-deep-bn", true)]
    [InlineData("cnn", false)]
    [InlineData("mlp4", false)]
    [InlineData("resnet", false)]
    public void Only_models_where_a_dropout_feeds_a_batch_norm_need_it(string name, bool needed) =>
        Assert.Equal(needed, BatchNormRecalibration.Needed(ModelZoo.Get(name).Build(new ModelOptions())));
}
