using System.IO.Compression;
using Atelier.Reports;
using Atelier.Tensors;
using Atelier.Training;

namespace Atelier.Tests.Reports;

/// <summary>
/// Builds a sample report with every kind of figure (from synthetic metrics and, when ATELIER_DATA is set, real
/// Fashion-MNIST images). Set ATELIER_REPORT_SAMPLE to a folder to keep the output for viewing in a browser.
/// </summary>
public sealed class SampleReportTests
{
    private static readonly string[] Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    [Fact]
    public void WritesSelfContainedReportAndFigureFiles()
    {
        string? keep = Environment.GetEnvironmentVariable("ATELIER_REPORT_SAMPLE");
        string dir = keep ?? Path.Combine(Path.GetTempPath(), "atelier-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var report = Build();
            var files = report.Write(Path.Combine(dir, "report.html"), Path.Combine(dir, "figures"));
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
            Assert.DoesNotContain("https://", html);
            Assert.Contains("Confusion matrix (normalised)", html);
            Assert.Contains("data:image/png;base64,", html);
            int svgFiles = 0;
            foreach (var f in files)
                if (f.EndsWith(".svg"))
                {
                    svgFiles++;
                    SvgAssert.WellFormed(File.ReadAllText(f));
                }
            Assert.True(svgFiles >= 10);
            Assert.Contains(files, f => Path.GetFileName(f) == "01-loss-per-epoch.svg");
            Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            if (keep is null && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static HtmlReport Build()
    {
        var rng = new Rng(7);
        const int epochs = 20;
        var report = new HtmlReport("Fashion-MNIST: MLP vs CNN", "Sample report drawn by Atelier.Reports from synthetic training curves");

        // Loss and accuracy per epoch: each model one colour, train solid and validation dashed.
        var loss = new LineChart { Title = "Loss per epoch", XLabel = "epoch", YLabel = "cross-entropy loss" };
        var acc = new LineChart { Title = "Accuracy per epoch", XLabel = "epoch", YLabel = "accuracy", YMax = 1 };
        string[] models = ["MLP (784-392-10)", "CNN (2 conv + BN + dropout)"];
        var valAcc = new double[models.Length][];
        for (int m = 0; m < models.Length; m++)
        {
            double floor = m == 0 ? 0.28 : 0.18, gap = m == 0 ? 0.08 : 0.04;
            var tl = new double[epochs]; var vl = new double[epochs]; var ta = new double[epochs]; var va = new double[epochs];
            for (int e = 0; e < epochs; e++)
            {
                double t = Math.Exp(-e / 3.0);
                tl[e] = floor + 0.6 * t - 0.004 * e + 0.01 * rng.NextFloat();
                vl[e] = floor + gap + 0.55 * t + 0.004 * e * (m == 0 ? 1.5 : 0.5) + 0.02 * rng.NextFloat();
                ta[e] = 1 - tl[e] / 2.6;
                va[e] = 1 - vl[e] / 2.8 - 0.01 * rng.NextFloat();
            }
            if (m == 0) vl[7] = double.NaN; // a missing evaluation leaves a gap
            valAcc[m] = va;
            loss.Add(new LineSeries(models[m] + " train", LineSeries.PerEpoch("", tl).X, tl) { ColorIndex = m });
            loss.Add(new LineSeries(models[m] + " validation", LineSeries.PerEpoch("", vl).X, vl) { ColorIndex = m, Dashed = true });
            acc.Add(new LineSeries(models[m] + " train", LineSeries.PerEpoch("", ta).X, ta) { ColorIndex = m });
            acc.Add(new LineSeries(models[m] + " validation", LineSeries.PerEpoch("", va).X, va) { ColorIndex = m, Dashed = true, Markers = true });
        }
        report.AddFigure("Loss per epoch", loss.ToSvg(), "Solid: training loss; dashed: validation loss. The gap at epoch 8 is a skipped evaluation.");
        report.AddFigure("Accuracy per epoch", acc.ToSvg());

        var rolling = new LineChart { Title = "Rolling average of validation accuracy (window 5)", XLabel = "epoch", YLabel = "accuracy" };
        for (int m = 0; m < models.Length; m++)
            rolling.Add(new LineSeries(models[m], LineSeries.PerEpoch("", valAcc[m]).X, RollingAverage.Compute(valAcc[m], 5)) { ColorIndex = m });
        report.AddFigure("Rolling validation accuracy", rolling.ToSvg());

        // Learning rate and batch size sweeps on log axes.
        var lrs = new[] { 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1 };
        var lr = new LineChart { Title = "Test accuracy vs learning rate", XLabel = "learning rate", YLabel = "test accuracy", XLog = true };
        string[] opts = ["SGD", "SGD + momentum", "Adam", "RMSprop"];
        for (int o = 0; o < opts.Length; o++)
        {
            var y = new double[lrs.Length];
            double best = Math.Log10(o == 0 ? 0.1 : o == 1 ? 0.03 : 0.001);
            for (int i = 0; i < lrs.Length; i++) y[i] = 0.9 - 0.035 * Math.Pow(Math.Log10(lrs[i]) - best, 2) + 0.005 * rng.NextFloat();
            lr.Add(new LineSeries(opts[o], lrs, y) { Markers = true });
        }
        report.AddFigure("Learning rate sweep", lr.ToSvg());

        double[] batches = [16, 32, 64, 128, 256, 512];
        var bs = new LineChart { Title = "Validation accuracy vs batch size (5 epochs)", XLabel = "batch size", YLabel = "validation accuracy", XLog = true, XTicks = batches };
        bs.Add(new LineSeries("Adam, lr 0.001", batches, [0.872, 0.874, 0.868, 0.861, 0.85, 0.835]) { Markers = true });
        report.AddFigure("Batch size sweep", bs.ToSvg());

        // Confusion matrix from synthetic predictions: shirts get confused with T-shirts, pullovers and coats.
        var cm = new ConfusionMatrix(10);
        var actual = new int[10000];
        var predicted = new int[10000];
        for (int i = 0; i < actual.Length; i++)
        {
            int a = i % 10, p = a;
            float u = rng.NextFloat();
            if (a == 6 && u < 0.3f) p = (int)(rng.NextFloat() * 3) switch { 0 => 0, 1 => 2, _ => 4 };
            else if (a is 2 or 4 && u < 0.12f) p = a == 2 ? 4 : 2;
            else if (u < 0.04f) p = (int)(rng.NextFloat() * 10);
            actual[i] = a;
            predicted[i] = p;
        }
        cm.Add(actual, predicted);
        var cr = cm.Report();
        report.AddFigure("Confusion matrix (counts)", Heatmap.Confusion(cm.ToArray(), Classes, normalize: false, "CNN on the test set").ToSvg());
        report.AddFigure("Confusion matrix (normalised)", Heatmap.Confusion(cm.ToArray(), Classes, normalize: true, "CNN on the test set, rows normalised (recall on the diagonal)").ToSvg());
        report.AddFigure("Confusion matrix (viridis)", new Heatmap(cm.RowNormalized(), Classes, Classes)
        { Colors = ColorMap.Viridis, CellFormat = "0.00", RowLabel = "actual", ColumnLabel = "predicted", Max = 1 }.ToSvg());
        report.AddText("Classification report", cr.Format(Classes));

        var perClass = new BarChart(Classes) { Title = "Per-class precision, recall and F1", ValueLabel = "score", ValueFormat = "0.00", Horizontal = true };
        perClass.Add(new BarSeries("precision", cr.Precision)).Add(new BarSeries("recall", cr.Recall)).Add(new BarSeries("F1", cr.F1));
        report.AddFigure("Per-class metrics", perClass.ToSvg());

        var metrics = new BarChart(["accuracy", "precision (macro)", "recall (macro)", "F1 (macro)"]) { Title = "Metric comparison", ValueLabel = "score", ValueFormat = "0.000", ValueMax = 1 };
        metrics.Add(new BarSeries("MLP", [0.884, 0.885, 0.884, 0.883]));
        metrics.Add(new BarSeries("CNN", [cr.Accuracy, cr.MacroPrecision, cr.MacroRecall, cr.MacroF1]));
        metrics.Add(new BarSeries("ResNet-ish", [0.941, 0.942, 0.941, 0.941]));
        report.AddFigure("Metric comparison", metrics.ToSvg());

        var vertical = new BarChart(Classes) { Title = "F1 per class (vertical, rotated names)", ValueLabel = "F1", ValueFormat = "0.000" };
        vertical.Add(new BarSeries("F1", cr.F1));
        report.AddFigure("F1 per class", vertical.ToSvg());

        var table = new Table(["Model", "Training time", "Accuracy", "Precision (mean)", "Recall (mean)", "F1 (mean)", "Train loss", "Val loss", "Epochs"],
        [
            ["MLP", "41.2s", "0.884", "0.885", "0.884", "0.883", "0.231", "0.331", "20"],
            ["CNN", "212.9s", cr.Accuracy.ToString("0.000"), cr.MacroPrecision.ToString("0.000"), cr.MacroRecall.ToString("0.000"), cr.MacroF1.ToString("0.000"), "0.180", "0.243", "20"],
        ]);
        table.Bold.Add(1);
        report.AddTable("Key metrics", table, "Means are macro averages over the 10 classes.");
        report.AddFigure("Key metrics (as SVG)", table.ToSvg("Key metrics"));

        // Example predictions, misclassified first; real test images when the dataset is available.
        var images = LoadImages(24, rng);
        var grid = new ImageGrid { Title = "Example predictions (misclassified first)", Columns = 8 };
        var order = new List<int>();
        for (int i = 0; i < images.Count; i++) if (i % 5 == 1) order.Add(i);
        for (int i = 0; i < images.Count; i++) if (i % 5 != 1) order.Add(i);
        foreach (int i in order)
        {
            var (img, label) = images[i];
            bool wrong = i % 5 == 1;
            int pred = wrong ? (label + 3) % 10 : label;
            double p = 0.55 + 0.44 * rng.NextFloat();
            grid.Add(img, wrong ? $"pred: {Classes[pred]} {p:0%}\n(true: {Classes[label]})" : $"{Classes[pred]} {p:0%}", wrong);
        }
        report.AddFigure("Example predictions", grid.ToSvg(), "Red: misclassified.");

        var filters = new ImageGrid { Title = "First-layer filters (5×5, 16 channels)", Columns = 8, ImageSize = 48 };
        for (int f = 0; f < 16; f++)
        {
            var w = new float[25];
            for (int k = 0; k < 25; k++) w[k] = rng.Normal(0, 1);
            filters.Add(GrayImage.FromFloatsAutoScaled(5, 5, w), $"filter {f}");
        }
        report.AddFigure("Filters", filters.ToSvg());
        return report;
    }

    private static List<(GrayImage Image, int Label)> LoadImages(int count, Rng rng)
    {
        var list = new List<(GrayImage, int)>();
        string data = Environment.GetEnvironmentVariable("ATELIER_DATA") ?? "";
        string imgPath = Path.Combine(data, "t10k-images-idx3-ubyte.gz"), lblPath = Path.Combine(data, "t10k-labels-idx1-ubyte.gz");
        if (data.Length > 0 && File.Exists(imgPath) && File.Exists(lblPath))
        {
            byte[] img = Gunzip(imgPath, 16 + count * 784), lbl = Gunzip(lblPath, 8 + count);
            for (int i = 0; i < count; i++) list.Add((new GrayImage(28, 28, img.AsSpan(16 + i * 784, 784).ToArray()), lbl[8 + i]));
            return list;
        }
        for (int i = 0; i < count; i++)
        {
            var p = new byte[784];
            for (int y = 4; y < 24; y++)
                for (int x = 6 + i % 4; x < 22 - i % 3; x++) p[y * 28 + x] = (byte)(120 + rng.NextFloat() * 135);
            list.Add((new GrayImage(28, 28, p), i % 10));
        }
        return list;
    }

    private static byte[] Gunzip(string path, int bytes)
    {
        using var z = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var buf = new byte[bytes];
        z.ReadExactly(buf);
        return buf;
    }
}
