using Atelier.Data;
using Atelier.Reports;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Reports;

/// <summary>A report over a run folder whose JSON was damaged (cut short, hand-edited) names the file and field instead of throwing a JsonException.</summary>
public sealed class DamagedRunFolderTests
{
    /// <summary>A finished two-epoch run, as training leaves it.</summary>
    private static RunFolder FinishedRun()
    {
        var folder = new RunFolder(Path.Combine(TestData.TempDirectory(), "run"));
        Directory.CreateDirectory(folder.Path);
        folder.WriteOptions(new TrainOptions { Model = "mlp", Name = "damaged" });
        var history = new List<EpochMetrics> { new(1, 1.0, 0.5, double.NaN, double.NaN, 0.001, 1.5), new(2, 0.5, 0.7, 0.6, 0.68, 0.001, 1.5) };
        folder.WriteHistory(history);
        int[] actual = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        int[] predicted = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0];
        var matrix = new ConfusionMatrix(10);
        matrix.Add(actual, predicted);
        var evaluation = new Evaluation(0.5, 0.9, actual, predicted, new float[100], 10);
        Results.Write(new RunResult(folder, history, evaluation, matrix, matrix.Report(), [.. FashionMnist.ClassNames], 3.0, 100, 2, false));
        return folder;
    }

    private static string Refusal(RunFolder folder, string file, string content)
    {
        File.WriteAllText(folder.File(file), content);
        var e = Assert.Throws<InvalidDataException>(() => RunReportData.Load(folder.Path));
        Assert.StartsWith(folder.File(file), e.Message);
        Assert.DoesNotContain("\n", e.Message);
        return e.Message;
    }

    [Fact]
    public void An_undamaged_run_still_loads()
    {
        var run = RunReportData.Load(FinishedRun().Path);
        Assert.True(run.Finished);
        Assert.Equal(2, run.History.Count);
        Assert.True(double.IsNaN(run.History[0].ValLoss));
        Assert.Equal(0.9, run.Metric("test_accuracy"), 6);
        Assert.Equal(10, run.Matrix!.Total);
    }

    [Theory]
    [InlineData("{ \"model\": \"mlp\", \"epo", "is not valid JSON (line 1)")]
    [InlineData("", "is not valid JSON")]
    [InlineData("[\"mlp\"]", "the file must be an object, not a list")]
    [InlineData("{ \"model\": \"mlp\", \"epochs\": 10 }", "option 'epochs' must be text, not 10")]
    [InlineData("{ \"model\": null }", "option 'model' must be text, not null")]
    [InlineData("{ \"model\": \"mlp\", \"epochs\": \"ten\" }", "option 'epochs' is damaged (--epochs needs a whole number, got 'ten')")]
    [InlineData("{ \"model\": \"mlp\", \"lr\": \"NaN\" }", "option 'lr' is damaged")]
    public void Damaged_options_json_names_the_field(string json, string fragment) =>
        Assert.Contains(fragment, Refusal(FinishedRun(), RunFolder.OptionsFile, json));

    [Theory]
    [InlineData("{}", "the file must be a list, not an object")]
    [InlineData("[ { \"epoch\": 1, \"train_lo", "is not valid JSON")]
    [InlineData("[ 3 ]", "entry 1 must be an object, not 3")]
    [InlineData("[ { \"epoch\": 1, \"train_loss\": 1, \"train_accuracy\": 0.5, \"val_loss\": 1, \"val_accuracy\": 0.5, \"learning_rate\": 0.1 } ]", "entry 1's 'seconds' is missing")]
    [InlineData("[ { \"epoch\": 1.5, \"train_loss\": 1, \"train_accuracy\": 0.5, \"val_loss\": 1, \"val_accuracy\": 0.5, \"learning_rate\": 0.1, \"seconds\": 1 } ]", "entry 1's 'epoch' must be a whole number")]
    [InlineData("[ { \"epoch\": 1, \"train_loss\": \"lots\", \"train_accuracy\": 0.5, \"val_loss\": 1, \"val_accuracy\": 0.5, \"learning_rate\": 0.1, \"seconds\": 1 } ]", "entry 1's 'train_loss' must be a number, not the text \"lots\"")]
    [InlineData("[ { \"epoch\": 1, \"train_loss\": true, \"train_accuracy\": 0.5, \"val_loss\": 1, \"val_accuracy\": 0.5, \"learning_rate\": 0.1, \"seconds\": 1 } ]", "entry 1's 'train_loss' must be a number, not true")]
    public void Damaged_metrics_json_names_the_field(string json, string fragment) =>
        Assert.Contains(fragment, Refusal(FinishedRun(), RunFolder.HistoryJson, json));

    [Fact]
    public void A_history_with_nan_strings_loads_as_nan()
    {
        var folder = FinishedRun();
        File.WriteAllText(folder.File(RunFolder.HistoryJson), "[ { \"epoch\": 1, \"train_loss\": \"NaN\", \"train_accuracy\": 0.5, \"val_loss\": \"Infinity\", \"val_accuracy\": \"NaN\", \"learning_rate\": 0.1, \"seconds\": 1 } ]");
        var run = RunReportData.Load(folder.Path);
        Assert.True(double.IsNaN(run.History[0].TrainLoss));
        Assert.True(double.IsPositiveInfinity(run.History[0].ValLoss));
    }

    [Theory]
    [InlineData("[1, 2]", "the file must be an object, not a list")]
    [InlineData("{ \"metrics\": { \"test_accuracy\": 0.9 }, \"classes\": [\"a\", \"b\"], \"confusion_ma", "is not valid JSON")]
    [InlineData("{ \"classes\": [\"a\"], \"confusion_matrix\": [[1]] }", "'metrics' is missing")]
    [InlineData("{ \"metrics\": { \"test_accuracy\": \"high\" }, \"classes\": [\"a\"], \"confusion_matrix\": [[1]] }", "metric 'test_accuracy' must be a number, not the text \"high\"")]
    [InlineData("{ \"metrics\": {}, \"confusion_matrix\": [[1]] }", "'classes' is missing")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\"] }", "'confusion_matrix' is missing")]
    [InlineData("{ \"metrics\": {}, \"classes\": \"a\", \"confusion_matrix\": [[1]] }", "'classes' must be a list, not the text \"a\"")]
    [InlineData("{ \"metrics\": {}, \"classes\": [1], \"confusion_matrix\": [[1]] }", "class 1 of 'classes' must be text, not 1")]
    [InlineData("{ \"metrics\": {}, \"classes\": [], \"confusion_matrix\": [] }", "'classes' is empty")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, 0]] }", "'confusion_matrix' has 1 rows for the 2 classes")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, 0], [1]] }", "row 2 of 'confusion_matrix' has 1 counts for the 2 classes")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, 0], 7] }", "row 2 of 'confusion_matrix' must be a list, not 7")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, -3], [0, 1]] }", "row 1 of 'confusion_matrix', column 2 must be a whole number of at least 0, not -3")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, 0.5], [0, 1]] }", "column 2 must be a whole number")]
    [InlineData("{ \"metrics\": {}, \"classes\": [\"a\", \"b\"], \"confusion_matrix\": [[1, 1000000000000], [0, 1]] }", "counts more than 100,000,000 test images")]
    public void Damaged_results_json_names_the_field(string json, string fragment) =>
        Assert.Contains(fragment, Refusal(FinishedRun(), RunFolder.ResultsJson, json));

    [Fact]
    public void An_experiment_folder_with_one_damaged_run_names_that_run()
    {
        var folder = FinishedRun();
        File.WriteAllText(folder.File(RunFolder.HistoryJson), "{}");
        var e = Assert.Throws<InvalidDataException>(() => RunReportData.LoadExperiment(Path.GetDirectoryName(folder.Path)!));
        Assert.StartsWith(folder.File(RunFolder.HistoryJson), e.Message);
    }
}
