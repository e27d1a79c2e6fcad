using Atelier.Training;

namespace Atelier.Tests.Training;

public sealed class MetricsTests
{
    // actual:    0 0 0 1 1 2 2 2 2 4
    // predicted: 0 0 1 1 0 2 2 1 3 2
    // Class 3 has no support (predicted once); class 4 is never predicted (support 1).
    private static ConfusionMatrix Sample()
    {
        var m = new ConfusionMatrix(5);
        m.Add([0, 0, 0, 1, 1, 2, 2, 2, 2, 4], [0, 0, 1, 1, 0, 2, 2, 1, 3, 2]);
        return m;
    }

    [Fact]
    public void CountsAreActualByPredicted()
    {
        var m = Sample();
        long[,] expected =
        {
            { 2, 1, 0, 0, 0 },
            { 1, 1, 0, 0, 0 },
            { 0, 1, 2, 1, 0 },
            { 0, 0, 0, 0, 0 },
            { 0, 0, 1, 0, 0 },
        };
        Assert.Equal(expected, m.ToArray());
        Assert.Equal(10, m.Total);
        Assert.Equal(5, m.Correct);
        Assert.Equal(4, m.RowSum(2));
        Assert.Equal(0, m.ColumnSum(4));
        var n = m.RowNormalized();
        Assert.Equal(0.25, n[2, 3]);
        Assert.Equal(0.0, n[3, 3]);
    }

    [Fact]
    public void ReportMatchesHandComputedValues()
    {
        var r = Sample().Report();
        const int d = 12;
        Assert.Equal(0.5, r.Accuracy, d);
        double[] p = [2.0 / 3, 1.0 / 3, 2.0 / 3, 0, 0];
        double[] rc = [2.0 / 3, 0.5, 0.5, 0, 0];
        double[] f = [2.0 / 3, 0.4, 4.0 / 7, 0, 0];
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(p[k], r.Precision[k], d);
            Assert.Equal(rc[k], r.Recall[k], d);
            Assert.Equal(f[k], r.F1[k], d);
        }
        Assert.Equal([3L, 2, 4, 0, 1], r.Support);
        Assert.Equal(1.0 / 3, r.MacroPrecision, d);
        Assert.Equal(1.0 / 3, r.MacroRecall, d);
        Assert.Equal((2.0 / 3 + 0.4 + 4.0 / 7) / 5, r.MacroF1, d);
        Assert.Equal(16.0 / 30, r.WeightedPrecision, d);
        Assert.Equal(0.5, r.WeightedRecall, d);
        Assert.Equal((2 + 0.8 + 16.0 / 7) / 10, r.WeightedF1, d);
    }

    [Fact]
    public void ClassNeitherPresentNorPredictedIsLeftOutOfMacroMean()
    {
        var m = new ConfusionMatrix(3);
        m.Add([0, 0, 1, 1], [0, 0, 1, 0]);
        var r = m.Report();
        // Class 2 never appears: sklearn's default labels are the classes seen in y_true ∪ y_pred.
        Assert.Equal((2.0 / 3 + 1.0) / 2, r.MacroPrecision, 12);
        Assert.Equal((1.0 + 0.5) / 2, r.MacroRecall, 12);
        Assert.Equal((0.8 + 2.0 / 3) / 2, r.MacroF1, 12);
        Assert.Equal(0, r.F1[2]);
    }

    [Fact]
    public void EmptyMatrixGivesZerosNotNaN()
    {
        var r = new ConfusionMatrix(4).Report();
        Assert.Equal(0, r.Accuracy);
        Assert.Equal(0, r.MacroF1);
        Assert.Equal(0, r.WeightedF1);
    }

    [Fact]
    public void RejectsOutOfRangeLabelsAndMismatchedLengths()
    {
        var m = new ConfusionMatrix(3);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(0, -1));
        Assert.Throws<ArgumentException>(() => m.Add([0, 1], [0]));
    }

    [Fact]
    public void FormatLooksLikeSklearn()
    {
        string text = Sample().Report().Format(["a", "b", "c", "d", "e"]);
        Assert.Contains("precision", text);
        Assert.Contains("macro avg", text);
        Assert.Contains("0.6667", text);
        Assert.Contains("weighted avg", text);
    }

    [Fact]
    public void TopKAccuracyCountsLabelsAmongHighestScores()
    {
        float[] scores =
        [
            0.1f, 0.7f, 0.2f, // ranks: 1 > 2 > 0
            0.5f, 0.2f, 0.3f, // 0 > 2 > 1
            0.3f, 0.3f, 0.4f, // 2 > 0 = 1 (tie: lower index first)
        ];
        int[] labels = [2, 1, 1];
        Assert.Equal(0, TopKAccuracy.CountCorrect(scores, 3, labels, 1));
        Assert.Equal(1, TopKAccuracy.CountCorrect(scores, 3, labels, 2)); // row 0 yes; row 2: label 1 ranks third
        Assert.Equal(3, TopKAccuracy.CountCorrect(scores, 3, labels, 3));
        Assert.Equal(1.0 / 3, TopKAccuracy.Compute(scores, 3, labels, 2), 12);
        Assert.Equal(0, TopKAccuracy.Compute([], 3, [], 1));
    }
}
