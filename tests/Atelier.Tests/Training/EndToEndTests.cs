using Atelier.Autograd;
using Atelier.Tests.Data;
using Atelier.Serialization;
using Atelier.Tensors;
using Atelier.Training;

namespace Atelier.Tests.Training;

/// <summary>Real training on the real data: small slices, a few seconds each, asserting on accuracy.</summary>
public sealed class EndToEndTests
{
    internal static TrainOptions Small(string model, string output) => new()
    {
        Model = model, Epochs = 1, BatchSize = 64, Optimizer = "adam", LearningRate = 1e-3f, WeightDecay = 0, Schedule = "constant",
        LabelSmoothing = 0, Augment = false, TrainSize = 5000, ValSize = 1000, TestSize = 1000, Seed = 7, Output = output,
    };

    private static RunResult Train(TrainOptions options) =>
        new TrainingRun(options, new NullObserver()).Run(DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, options), CancellationToken.None);

    // Two epochs of mlp-bn in a folder of its own under root, with one option changed.
    private static RunResult TwoEpochsOfMlpBn(string root, string folder, Action<TrainOptions> change)
    {
        var o = Small("mlp-bn", Path.Combine(root, folder));
        o.Epochs = 2;
        change(o);
        return Train(o);
    }

    [Theory]
    [InlineData("mlp", 0.80)]
    [InlineData("cnn", 0.80)]
    public void One_epoch_on_5000_images_reaches_80_percent_on_1000_test_images(string model, double floor)
    {
        var tmp = TestData.TempDirectory();
        var result = Train(Small(model, tmp));
        Assert.True(result.Report.Accuracy >= floor, $"{model}: test accuracy {result.Report.Accuracy:P2} is below {floor:P0}.");
        Assert.Equal(1000, result.Test.Actual.Length);
    }

    [Fact]
    public void Without_a_validation_split_the_best_epoch_is_the_one_with_the_lowest_training_loss()
    {
        var options = Small("mlp", TestData.TempDirectory());
        (options.ValSize, options.Epochs, options.TrainSize) = (0, 3, 3000);
        var result = Train(options);

        Assert.All(result.History, h => Assert.True(double.IsNaN(h.ValAccuracy)));
        int lowest = result.History.MinBy(h => h.TrainLoss)!.Epoch;
        Assert.Equal(3, lowest); // training loss falls every epoch here, so the last epoch is kept
        Assert.Equal(lowest, result.BestEpoch);
        Assert.True(double.IsNaN(Results.KeyMetrics(result).Single(m => m.Key == "best_val_loss").Value)); // not +Infinity
    }

    [Fact]
    public void A_safetensors_round_trip_reproduces_the_logits_bit_for_bit()
    {
        var tmp = TestData.TempDirectory();
        var result = Train(Small("cnn", tmp));
        var original = Checkpoint.Load(result.Folder.File(RunFolder.BestCheckpoint));
        string copy = Path.Combine(tmp, "copy.safetensors");
        Safetensors.SaveModel(copy, original.Model);
        var reloaded = Checkpoint.Load(result.Folder.File(RunFolder.BestCheckpoint));
        Safetensors.LoadInto(copy, reloaded.Model);

        var input = new Tensor(new Shape(16, 1, 28, 28));
        var rng = new Rng(3);
        foreach (ref var v in input.Span) v = rng.Normal();
        float[] a, b;
        using (Tape.NoGrad())
        {
            a = original.Model.Forward(input).ToArray();
            b = reloaded.Model.Forward(input).ToArray();
        }
        Assert.Equal(a, b);
        // The test-set predictions of the run came from this checkpoint.
        var evaluation = Evaluator.Evaluate(reloaded.Model, new Atelier.Data.DataLoader(TestData.FashionTest.Subset(Enumerable.Range(0, 1000).ToArray()), 256, reloaded.Normalization), 10);
        Assert.Equal(result.Test.Predicted, evaluation.Predicted);
    }

    [Fact]
    public void Flip_TTA_averages_each_image_with_its_mirror_in_the_run_evaluate_and_predict()
    {
        var tmp = TestData.TempDirectory();
        var options = Small("mlp", tmp);
        options.Tta = "flip";
        var result = Train(options);
        var checkpoint = Checkpoint.Load(result.Folder.File(RunFolder.BestCheckpoint));
        Assert.True(checkpoint.Options.UsesFlipTta);
        Assert.False(Small("mlp", tmp).UsesFlipTta); // auto, and trained without flips
        var test = TestData.FashionTest.Subset(Enumerable.Range(0, 1000).ToArray());
        var loader = new Atelier.Data.DataLoader(test, 256, checkpoint.Normalization);
        var plain = Evaluator.Evaluate(checkpoint.Model, loader, 10);
        var tta = Evaluator.Evaluate(checkpoint.Model, loader, 10, flipTta: true);
        Assert.Equal(result.Test.Predicted, tta.Predicted);
        Assert.NotEqual(plain.Probabilities, tta.Probabilities);

        // By hand for one image: the mean of the softmax of the image and of its mirror image.
        var image = test.Image(0).ToArray();
        var mirror = new byte[image.Length];
        for (int row = 0; row < 28; row++)
            for (int col = 0; col < 28; col++) mirror[row * 28 + col] = image[row * 28 + 27 - col];
        var plainCheckpoint = checkpoint with { Options = new TrainOptions { Tta = "none" } };
        var a = plainCheckpoint.Predict(image, 28, 28);
        var b = plainCheckpoint.Predict(mirror, 28, 28);
        var expected = a.Zip(b, (x, y) => (x + y) / 2).ToArray();
        Fixture.AssertClose(expected, checkpoint.Predict(image, 28, 28), 1e-6f, 1e-6f, "predict");
        Fixture.AssertClose(expected, tta.Probabilities.AsSpan(0, 10), 1e-5f, 1e-6f, "evaluate");
    }

    [Fact]
    public void A_run_without_a_validation_set_stores_its_missing_metrics_as_null()
    {
        var tmp = TestData.TempDirectory();
        var options = Small("mlp", tmp);
        options.ValSize = 0;
        var result = Train(options);
        Assert.True(double.IsNaN(result.History[0].ValLoss));
        using var store = new Atelier.Experiments.RunStore(Path.Combine(tmp, "atelier.db"));
        var metrics = store.FinalMetrics(result.Folder.Id);
        Assert.True(double.IsNaN(metrics["val_loss"]));
        Assert.Equal(result.Report.Accuracy, metrics["test_accuracy"], 9);
    }

    // Logits far above 88 overflow exp() unless the softmax subtracts the row's maximum first.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Huge_logits_still_give_probabilities_and_a_finite_loss(bool flipTta)
    {
        var linear = new Atelier.Nn.Linear(784, 10);
        var rng = new Rng(2);
        foreach (ref var w in linear.Weight.Span) w = 50 * rng.Normal();
        var model = new Atelier.Nn.Sequential(new Atelier.Nn.Flatten(), linear);
        var test = TestData.FashionTest.Subset(Enumerable.Range(0, 300).ToArray());
        var evaluation = Evaluator.Evaluate(model, new Atelier.Data.DataLoader(test, 128, new Atelier.Data.Normalization(0.286f, 0.353f)), 10, flipTta);
        Assert.All(evaluation.Probabilities, p => Assert.True(float.IsFinite(p) && p >= 0 && p <= 1));
        Assert.True(double.IsFinite(evaluation.Loss) && evaluation.Loss > 10, $"loss {evaluation.Loss}");
    }

    [Fact]
    public void Batch_norm_recalibration_changes_the_statistics_evaluation_uses_and_nothing_of_training()
    {
        var tmp = TestData.TempDirectory();
        var plain = TwoEpochsOfMlpBn(tmp, "plain", o => o.BnRecalibrate = 0);
        var recalibrated = TwoEpochsOfMlpBn(tmp, "recalibrated", o => o.BnRecalibrate = 1000);
        Assert.Equal(plain.History.Select(h => h.TrainLoss), recalibrated.History.Select(h => h.TrainLoss));
        Assert.NotEqual(plain.History.Select(h => h.ValLoss), recalibrated.History.Select(h => h.ValLoss));
        var before = Safetensors.Load(plain.Folder.File(RunFolder.LastCheckpoint)).Tensors;
        var after = Safetensors.Load(recalibrated.Folder.File(RunFolder.LastCheckpoint)).Tensors;
        Assert.Equal(before["1.weight"].ToArray(), after["1.weight"].ToArray());
        Assert.NotEqual(before["3.running_var"].ToArray(), after["3.running_var"].ToArray());
        Assert.Equal(before["3.num_batches_tracked"].ToArray(), after["3.num_batches_tracked"].ToArray());
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.99f, false)] // with a weight average: the checkpoint holds the average, the resume state the trained weights
    [InlineData(0f, true)] // mixup and CutMix draw from (seed, epoch, batch), so a resumed run mixes the same batches alike
    public void A_resumed_run_ends_with_exactly_the_numbers_of_the_uninterrupted_run(float ema, bool mix)
    {
        var tmp = TestData.TempDirectory();
        TrainOptions Options(string sub)
        {
            var o = Small("mlp-bn", Path.Combine(tmp, sub));
            o.Epochs = 3;
            o.Schedule = "cosine";
            o.Ema = ema;
            if (mix) (o.Mixup, o.CutMix, o.MixProbability) = (0.4f, 1f, 0.8f);
            return o;
        }
        var full = Train(Options("full"));

        var options = Options("interrupted");
        using var cancel = new CancellationTokenSource();
        var data = DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, options);
        Assert.Throws<RunInterruptedException>(() =>
            new TrainingRun(options, new CancelAfter(2, cancel)).Run(data, cancel.Token));
        var folder = new RunFolder(Directory.GetDirectories(options.Output)[0]);
        Assert.Equal(2, folder.ReadHistory().Count);

        var resumed = new TrainingRun(folder.ReadOptions(), new NullObserver()).Resume(data, folder, CancellationToken.None);
        Assert.Equal(full.History.Select(h => (h.TrainLoss, h.ValLoss, h.ValAccuracy)), resumed.History.Select(h => (h.TrainLoss, h.ValLoss, h.ValAccuracy)));
        Assert.Equal(full.Test.Predicted, resumed.Test.Predicted);
        Assert.Equal(full.Test.Loss, resumed.Test.Loss);
    }

    [Fact]
    public void With_ema_the_checkpoint_holds_the_recalibrated_average_and_training_is_unchanged()
    {
        var tmp = TestData.TempDirectory();
        var plain = TwoEpochsOfMlpBn(tmp, "plain", o => o.Ema = 0);
        var averaged = TwoEpochsOfMlpBn(tmp, "averaged", o => o.Ema = 0.99f);
        // The average only watches: the trained weights, and so the training losses, are the same.
        Assert.Equal(plain.History.Select(h => h.TrainLoss), averaged.History.Select(h => h.TrainLoss));
        Assert.NotEqual(plain.History.Select(h => h.ValLoss), averaged.History.Select(h => h.ValLoss));
        var trained = Safetensors.Load(averaged.Folder.File(RunFolder.ResumeState)).Tensors;
        var saved = Safetensors.Load(averaged.Folder.File(RunFolder.LastCheckpoint)).Tensors;
        Assert.Equal(Safetensors.Load(plain.Folder.File(RunFolder.LastCheckpoint)).Tensors["1.weight"].ToArray(), trained[ResumeState.TrainedPrefix + "1.weight"].ToArray());
        Assert.NotEqual(trained[ResumeState.TrainedPrefix + "1.weight"].ToArray(), saved["1.weight"].ToArray());
        // mlp-bn has no dropout before a batch norm, so only the average makes the run recompute the statistics.
        Assert.NotEqual(trained[ResumeState.TrainedPrefix + "3.running_var"].ToArray(), saved["3.running_var"].ToArray());
        Assert.True(averaged.Report.Accuracy > 0.75, $"the averaged model scores {averaged.Report.Accuracy:P2}");
    }

    [Fact]
    public void Mixup_and_cutmix_change_training_and_still_learn()
    {
        var tmp = TestData.TempDirectory();
        var plain = TwoEpochsOfMlpBn(tmp, "plain", o => { });
        var mixed = TwoEpochsOfMlpBn(tmp, "mixed", o => (o.Mixup, o.CutMix) = (0.2f, 1f));
        Assert.NotEqual(plain.History.Select(h => h.TrainLoss), mixed.History.Select(h => h.TrainLoss));
        // Soft targets: the mixed batches' loss cannot fall as low as the plain one's.
        Assert.True(mixed.History[^1].TrainLoss > plain.History[^1].TrainLoss, $"mixed {mixed.History[^1].TrainLoss}, plain {plain.History[^1].TrainLoss}");
        Assert.True(mixed.Report.Accuracy > 0.75, $"the mixed model scores {mixed.Report.Accuracy:P2}");
        // Without a validation split a mixed run keeps its last epoch, not the one whose draws gave the lowest loss.
        var noValidation = TwoEpochsOfMlpBn(tmp, "no-validation", o => (o.CutMix, o.ValSize, o.Epochs) = (1f, 0, 3));
        Assert.Equal(3, noValidation.BestEpoch);
    }

    [Fact]
    public void A_diverging_loss_stops_the_run_naming_epoch_and_batch()
    {
        var tmp = TestData.TempDirectory();
        var options = Small("mlp", tmp);
        options.Optimizer = "sgd";
        options.LearningRate = 1e4f;
        options.Momentum = 0.9f;
        var e = Assert.Throws<NonFiniteLossException>(() => Train(options));
        Assert.Matches(@"at epoch 1, batch \d+", e.Message);
        // It diverged in its first epoch: no checkpoint exists, and the message must not promise one.
        Assert.Contains("saved no checkpoint", e.Message);
        Assert.DoesNotContain("best checkpoint", e.Message);
        Assert.Empty(Directory.GetFiles(tmp, "best.safetensors", SearchOption.AllDirectories));
        using var store = new Experiments.RunStore(Path.Combine(tmp, "atelier.db"));
        Assert.Equal("failed", store.Runs()[0].Status);
    }

    private sealed class NullObserver : ITrainingObserver;

    private sealed class CancelAfter(int epochs, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void EpochEnded(EpochMetrics metrics, bool isBest)
        {
            if (metrics.Epoch == epochs) cancel.Cancel();
        }
    }
}
