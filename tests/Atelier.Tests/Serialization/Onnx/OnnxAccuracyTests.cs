using System.Globalization;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Atelier.Data;
using Atelier.Tests.Cli;
using Atelier.Tests.Data;
using Atelier.Training;
using Xunit.Abstractions;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>
/// A trained run exported with `atelier export` classifies the whole test set in ONNX Runtime exactly as
/// `atelier evaluate --tta none` does: the same accuracy (the Evaluator's exact count, and the figure the command prints).
/// </summary>
[Collection("console")]
public sealed partial class OnnxAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void A_trained_run_has_the_same_test_accuracy_in_onnx_runtime_as_atelier_evaluate_without_tta()
    {
        var options = new TrainOptions
        {
            Model = "mlp", Epochs = 1, TrainSize = 2000, ValSize = 500, TestSize = 500, Augment = false, Output = TestData.TempDirectory(), Name = "onnx",
        };
        var data = DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, options);
        string run = new TrainingRun(options, new Quiet()).Run(data, CancellationToken.None).Folder.Path;

        var export = InProcessCli.Run("export", run);
        Assert.True(export.ExitCode == 0, export.Output);
        string onnx = Path.Combine(run, "model.onnx");
        Assert.True(File.Exists(onnx), export.Output);
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));

        var checkpoint = Checkpoint.Load(Path.Combine(run, RunFolder.BestCheckpoint));
        var test = TestData.FashionTest;
        var atelier = Evaluator.Evaluate(checkpoint.Model, new DataLoader(test, 256, checkpoint.Normalization), checkpoint.ClassNames.Count, flipTta: false);
        var evaluate = InProcessCli.Run("evaluate", run, "--tta", "none");
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        string printed = Accuracy().Match(evaluate.Stdout).Groups[1].Value;

        using var runtime = new OnnxRuntimeModel(onnx);
        int correct = 0, disagreements = 0;
        const int batch = 1000;
        for (int start = 0; start < test.Count; start += batch)
        {
            int n = Math.Min(batch, test.Count - start);
            var pixels = new float[n * 28 * 28];
            for (int i = 0; i < n; i++)
            {
                var image = test.Image(start + i);
                for (int p = 0; p < image.Length; p++) pixels[i * 784 + p] = image[p] / 255f;
            }
            var logits = runtime.Logits(pixels, [n, 1, 28, 28]);
            for (int i = 0; i < n; i++)
            {
                int predicted = TensorPrimitives.IndexOfMax(logits.AsSpan(i * 10, 10));
                if (predicted == test.Label(start + i)) correct++;
                if (predicted != atelier.Predicted[start + i]) disagreements++;
            }
        }
        double accuracy = (double)correct / test.Count;
        output.WriteLine($"test set {test.Count}: ONNX Runtime {correct} correct ({accuracy:P2}), Atelier Evaluator {atelier.Accuracy * test.Count:F0} ({atelier.Accuracy:P2}), " +
            $"`atelier evaluate --tta none` printed {printed}; {disagreements} images predicted differently");
        Assert.Equal(atelier.Accuracy, accuracy);
        Assert.Equal(printed, accuracy.ToString("P2", CultureInfo.InvariantCulture));
        Assert.InRange(accuracy, 0.6, 1.0);
    }

    [GeneratedRegex(@"accuracy ([0-9.]+ ?%)")]
    private static partial Regex Accuracy();

    private sealed class Quiet : ITrainingObserver;
}
