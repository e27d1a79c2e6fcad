using Atelier.Reports;
using Atelier.Serialization;
using Atelier.Tests.Data;
using Atelier.Training;
using Microsoft.Data.Sqlite;

namespace Atelier.Tests.Cli;

/// <summary>The `atelier` command end to end on a small slice, and its catalogue of bad inputs.</summary>
public sealed class CliTests
{
    private static readonly string[] Quick = ["--epochs", "1", "--train-size", "2000", "--val-size", "500", "--test-size", "500", "--augment", "false"];

    [Fact]
    public void Train_then_evaluate_then_predict()
    {
        string output = TestData.TempDirectory();
        var train = CliRunner.Run(["train", "--model", "mlp", "--output", output, .. Quick]);
        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("Test accuracy", train.Stdout);
        Assert.Contains("macro avg", train.Stdout);
        Assert.Contains("confusion matrix", train.Stdout);
        Assert.Matches(@"epoch +1 +train loss", train.Stdout);

        string run = Directory.GetDirectories(output).Single();
        foreach (var file in new[] { "options.json", "metrics.csv", "metrics.json", "best.safetensors", "last.safetensors", "results.json", "per_class.csv", "confusion_matrix.csv" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} is missing from the run folder.");
        using (var db = new SqliteConnection($"Data Source={Path.Combine(output, "atelier.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT status, (SELECT COUNT(*) FROM epoch_metrics), (SELECT value FROM final_metrics WHERE key = 'test_accuracy') FROM runs";
            using var reader = cmd.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal("finished", reader.GetString(0));
            Assert.Equal(1, reader.GetInt32(1));
            Assert.InRange(reader.GetDouble(2), 0.6, 1.0);
        }

        var evaluate = CliRunner.Run("evaluate", run, "--test-size", "500");
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("on 500 test images", evaluate.Stdout);

        // A trouser from the test set, saved as a PNG the way a user would have one: light background, 3x larger.
        int index = Enumerable.Range(0, 100).First(i => TestData.FashionTest.Label(i) == 1);
        var image = TestData.FashionTest.Image(index);
        var big = new byte[84 * 84];
        for (int y = 0; y < 84; y++)
            for (int x = 0; x < 84; x++) big[y * 84 + x] = (byte)(255 - image[(y / 3) * 28 + x / 3]);
        string png = Path.Combine(output, "trouser.png");
        File.WriteAllBytes(png, PngEncoder.Gray8(84, 84, big));
        // The same trouser as a JPEG, the format users' photos mostly come in.
        var bigRgba = new byte[84 * 84 * 4];
        for (int i = 0; i < big.Length; i++) (bigRgba[i * 4], bigRgba[i * 4 + 1], bigRgba[i * 4 + 2], bigRgba[i * 4 + 3]) = (big[i], big[i], big[i], 255);
        string jpeg = Path.Combine(output, "trouser.jpg");
        File.WriteAllBytes(jpeg, Imaging.TestImages.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 84, 84, bigRgba, quality: 85));
        string notPng = Path.Combine(output, "notes.png");
        File.WriteAllText(notPng, "not an image");

        var predict = CliRunner.Run("predict", Path.Combine(run, "best.safetensors"), png, jpeg, notPng, "--json");
        Assert.Equal(1, predict.ExitCode);
        Assert.Contains("\"class\": \"Trouser\"", predict.Stdout.Split("\"top\"")[1].Split(']')[0].Split('}')[0] + "}");
        Assert.Contains("\"class\": \"Trouser\"", predict.Stdout.Split("\"top\"")[2].Split(']')[0].Split('}')[0] + "}");
        Assert.Contains("trouser.jpg", predict.Stdout.Split("\"top\"")[1]); // the second result is the JPEG's
        Assert.Contains("notes.png is not an image Atelier can read", predict.Stdout);
        Assert.DoesNotContain("   at ", predict.Output);
    }

    [Fact]
    public void Another_idx_dataset_trains_through_data_with_its_own_class_names()
    {
        string dir = TestData.WriteIdxFolder(trainCount: 600, testCount: 200, rows: 28, cols: 28, classes: 3, gzip: false);
        File.WriteAllLines(Path.Combine(dir, "classes.txt"), ["circle", "square", "triangle"]);
        var r = CliRunner.Run("train", "--data", dir, "--model", "mlp", "--val-size", "100", "--epochs", "1", "--output", TestData.TempDirectory());
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("Training mlp on 500 images", r.Stdout);
        Assert.Contains("triangle", r.Stdout);
    }

    [Fact]
    public void Ctrl_C_saves_a_resumable_run_and_resume_finishes_it()
    {
        string output = TestData.TempDirectory();
        // 40 epochs of 40-100 ms: on a fast machine 4 were over before the signal arrived (exit 0).
        string[] args = ["train", "--model", "mlp", "--output", output, "--epochs", "40", "--train-size", "3000", "--val-size", "500", "--test-size", "500"];
        var interrupted = CliRunner.Run(args, interruptWhen: line => line.StartsWith("epoch   1", StringComparison.Ordinal));
        Assert.Equal(130, interrupted.ExitCode);
        Assert.Contains("atelier train --resume", interrupted.Stderr);
        Assert.DoesNotContain("   at ", interrupted.Output);
        string run = Directory.GetDirectories(output).Single();
        Assert.True(File.Exists(Path.Combine(run, RunFolder.ResumeState)));
        Assert.False(File.Exists(Path.Combine(run, RunFolder.ResultsJson)));

        var resumed = CliRunner.Run("train", "--resume", run);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains("Resuming", resumed.Stdout);
        Assert.Contains("epoch  40", resumed.Stdout);
        Assert.True(File.Exists(Path.Combine(run, RunFolder.ResultsJson)));
    }

    [Fact]
    public void Models_and_summary_list_the_zoo()
    {
        var models = CliRunner.Run("models");
        Assert.Equal(0, models.ExitCode);
        foreach (var name in new[] { "mlp", "mlp-bn", "cnn-wide", "cnn-c", "resnet", "vgg16" }) Assert.Contains(name, models.Stdout);
        var summary = CliRunner.Run("summary", "cnn-b");
        Assert.Equal(0, summary.ExitCode);
        Assert.Contains("[1, 32, 28, 26]", summary.Stdout);
        Assert.Contains("582,500", summary.Stdout);

        var patched = CliRunner.Run("summary", "mlp4", "--patch", "7");
        Assert.Equal(0, patched.ExitCode);
        Assert.Contains("Patchify(7x7)", patched.Stdout);
        Assert.Contains("[16, 49]", patched.Stdout);
    }

    [Theory]
    [InlineData("Unknown model 'nope'", "train", "--model", "nope")]
    [InlineData("Unknown optimizer 'adamx'", "train", "--optimizer", "adamx")]
    [InlineData("--batch-size must be a whole number from 1 to 65,536, got 0", "train", "--batch-size", "0")]
    [InlineData("--epochs must be a whole number from 1 to 100,000, got -3", "train", "--epochs", "-3")]
    [InlineData("--lr needs a number, got 'fast'", "train", "--lr", "fast")]
    [InlineData("Unknown option '--learning-rate' for `atelier train`", "train", "--learning-rate", "0.1")]
    [InlineData("Unknown command 'fit'", "fit")]
    [InlineData("Unknown model 'resnet-9000'", "summary", "resnet-9000")]
    [InlineData("--patch applies to the fully connected models", "train", "--model", "cnn", "--patch", "7")]
    [InlineData("Patches of 6x6 pixels must tile the image exactly", "summary", "mlp4", "--patch", "6")]
    public void Bad_options_get_one_sentence_and_exit_code_2(string message, params string[] args) =>
        CliRunner.AssertOneSentenceError(CliRunner.Run(args), message, 2);

    [Fact]
    public void A_missing_data_folder_says_how_to_get_the_files()
    {
        var r = CliRunner.Run("train", "--data", "/nonexistent/fashion");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/nonexistent/fashion", r.Stderr);
        Assert.DoesNotContain("   at ", r.Output);
    }

    [Fact]
    public void A_truncated_idx_file_is_named_in_the_error()
    {
        string dir = TestData.TempDirectory();
        foreach (var file in Directory.GetFiles(TestData.FashionMnistDirectory, "*.gz")) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        string labels = Path.Combine(dir, "train-labels-idx1-ubyte.gz");
        var bytes = File.ReadAllBytes(labels);
        File.WriteAllBytes(labels, bytes[..(bytes.Length / 2)]);
        var r = CliRunner.Run("train", "--data", dir, "--epochs", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("train-labels-idx1-ubyte", r.Stderr);
        Assert.DoesNotContain("   at ", r.Output);
    }

    [Fact]
    public void An_unwritable_output_folder_is_refused_before_training()
    {
        string blocker = Path.Combine(TestData.TempDirectory(), "a-file");
        File.WriteAllText(blocker, "");
        var r = CliRunner.Run(["train", "--model", "mlp", "--output", Path.Combine(blocker, "runs"), .. Quick]);
        CliRunner.AssertOneSentenceError(r, "Cannot create a run folder", 1);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused()
    {
        string dir = TestData.TempDirectory();
        var mlp = Atelier.Models.ModelZoo.Create("mlp", new Atelier.Models.ModelOptions(), new Tensors.Rng(1));
        string path = Path.Combine(dir, "wrong.safetensors");
        Safetensors.SaveModel(path, mlp, new Dictionary<string, string> { ["atelier.model"] = "cnn", ["atelier.classes"] = "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]" });
        var r = CliRunner.Run("evaluate", path);
        CliRunner.AssertOneSentenceError(r, "saved from a different model", 1);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused()
    {
        string path = Path.Combine(TestData.TempDirectory(), "model.safetensors");
        File.WriteAllText(path, "hello");
        CliRunner.AssertOneSentenceError(CliRunner.Run("evaluate", path), "not a valid safetensors file", 1);
    }
}
