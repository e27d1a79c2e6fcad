using System.Xml.Linq;
using Atelier.Reports;

namespace Atelier.Tests.Reports;

public sealed class ChartTests
{
    private static readonly string[] Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static IEnumerable<XElement> Paths(XDocument doc) => doc.Descendants(SvgAssert.Ns + "path");

    [Fact]
    public void LineChartDrawsEverySeriesWithLegendAxesAndTitle()
    {
        var chart = new LineChart { Title = "Loss", XLabel = "epoch", YLabel = "loss", YUnit = "nats" }
            .Add(LineSeries.PerEpoch("train", [2.3, 1.1, 0.7, 0.5]))
            .Add(new LineSeries("validation", [1, 2, 3, 4], [2.2, 1.3, 0.9, 0.8]) { ColorIndex = 0, Dashed = true, Markers = true });
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("Loss", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("loss (nats)", texts);
        Assert.Contains("train", texts);
        Assert.Contains("validation", texts);
        var series = Paths(doc).Where(p => (string?)p.Attribute("class") == "series").ToList();
        Assert.Equal(2, series.Count);
        Assert.Equal((string?)series[0].Attribute("stroke"), (string?)series[1].Attribute("stroke"));
        Assert.Null(series[0].Attribute("stroke-dasharray"));
        Assert.NotNull(series[1].Attribute("stroke-dasharray"));
        Assert.Equal(4, doc.Descendants(SvgAssert.Ns + "circle").Count(c => (string?)c.Attribute("fill") == "#fff") - 1); // + legend marker
        Assert.Equal("640", (string?)doc.Root!.Attribute("width"));
    }

    [Fact]
    public void LegendSitsRightOfThePlot()
    {
        var chart = new LineChart().Add(LineSeries.PerEpoch("a", [0, 1])).Add(LineSeries.PerEpoch("b", [1, 0]));
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        double plotRight = doc.Descendants(SvgAssert.Ns + "path").SelectMany(p => ((string)p.Attribute("d")!).Split('M', 'L', StringSplitOptions.RemoveEmptyEntries))
            .Max(pt => double.Parse(pt.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        foreach (var t in doc.Descendants(SvgAssert.Ns + "text").Where(t => (string?)t.Attribute("class") == "legend"))
            Assert.True(double.Parse((string)t.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture) > plotRight);
    }

    [Fact]
    public void LongNamesMoveTheLegendUnderThePlotAndKeepTheirEnds()
    {
        var chart = new LineChart { XLabel = "epoch" }
            .Add(LineSeries.PerEpoch("a rather long model description, dropout 0.5 — train", [0, 1]))
            .Add(LineSeries.PerEpoch("a rather long model description, dropout 0.5 — validation", [1, 0]));
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        double epochY = doc.Descendants(SvgAssert.Ns + "text").Where(t => t.Value == "epoch")
            .Select(t => double.Parse((string)t.Attribute("y")!, System.Globalization.CultureInfo.InvariantCulture)).Single();
        var legend = doc.Descendants(SvgAssert.Ns + "text").Where(t => (string?)t.Attribute("class") == "legend").ToList();
        Assert.Equal(2, legend.Count);
        foreach (var t in legend)
            Assert.True(double.Parse((string)t.Attribute("y")!, System.Globalization.CultureInfo.InvariantCulture) > epochY);
        Assert.EndsWith("validation", legend[1].Value);
    }

    [Fact]
    public void EscapesSpecialCharactersInNames()
    {
        var chart = new LineChart { Title = "a<&>b", XLabel = "x \"quoted\"" }.Add(LineSeries.PerEpoch("<&>", [1, 2]));
        string svg = chart.ToSvg();
        var doc = SvgAssert.WellFormed(svg);
        Assert.Contains("<&>", SvgAssert.Texts(doc));
        Assert.Contains("a<&>b", SvgAssert.Texts(doc));
        Assert.Contains("&lt;&amp;&gt;", svg);
    }

    [Fact]
    public void NaNAndEmptySeriesAreSkippedWithoutNaNCoordinates()
    {
        var chart = new LineChart { YLabel = "loss" }
            .Add(LineSeries.PerEpoch("gappy", [1, double.NaN, 0.5, double.PositiveInfinity, 0.3]))
            .Add(new LineSeries("empty", [], []))
            .Add(LineSeries.PerEpoch("all nan", [double.NaN, double.NaN]));
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        var path = Paths(doc).Single(p => (string?)p.Attribute("data-name") == "gappy");
        string d = (string)path.Attribute("d")!;
        Assert.Equal(3, d.Count(c => c == 'M')); // three separate pieces around the two gaps
        Assert.Contains("empty", SvgAssert.Texts(doc));

        var nothing = SvgAssert.WellFormed(new LineChart().Add(new LineSeries("x", [], [])).ToSvg());
        Assert.Contains("no data", SvgAssert.Texts(nothing));
        SvgAssert.WellFormed(new LineChart().ToSvg());
    }

    [Fact]
    public void LogAxesLabelDecadesAndDropNonPositivePoints()
    {
        var chart = new LineChart { XLog = true, XLabel = "learning rate" }
            .Add(new LineSeries("sgd", [0, 1e-4, 1e-3, 1e-2, 1e-1], [0.1, 0.7, 0.85, 0.89, 0.86]) { Markers = true });
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("1e-4", texts);
        Assert.Contains("0.001", texts);
        Assert.Contains("0.1", texts);
        Assert.Equal(4, doc.Descendants(SvgAssert.Ns + "circle").Count() - 1); // x = 0 cannot be drawn; one legend marker
    }

    [Fact]
    public void ExplicitTicksForBatchSizes()
    {
        var chart = new LineChart { XLog = true, XTicks = [16, 32, 64, 128, 256] }
            .Add(new LineSeries("acc", [16, 32, 64, 128, 256], [0.86, 0.87, 0.86, 0.85, 0.84]));
        var texts = SvgAssert.Texts(SvgAssert.WellFormed(chart.ToSvg()));
        foreach (var b in new[] { "16", "32", "64", "128", "256" }) Assert.Contains(b, texts);
    }

    [Fact]
    public void XTickLabelsDoNotOverlap()
    {
        var chart = new LineChart { Width = 320 }.Add(new LineSeries("s", [0, 123456], [0, 1]));
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        var bottom = doc.Descendants(SvgAssert.Ns + "text").Where(t => (string?)t.Attribute("text-anchor") == "middle" && t.Attribute("transform") is null)
            .Select(t => (X: double.Parse((string)t.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture), Text: t.Value))
            .OrderBy(t => t.X).ToList();
        for (int i = 1; i < bottom.Count; i++)
            Assert.True(bottom[i].X - bottom[i - 1].X >= (TextMetrics.Width(bottom[i].Text, 11) + TextMetrics.Width(bottom[i - 1].Text, 11)) / 2,
                $"'{bottom[i - 1].Text}' and '{bottom[i].Text}' overlap");
    }

    [Fact]
    public void BarChartDrawsGroupedBarsWithValuesAndLegend()
    {
        var chart = new BarChart(["accuracy", "precision", "recall", "F1"]) { Title = "Metrics", ValueLabel = "score", ValueFormat = "0.000" }
            .Add(new BarSeries("MLP", [0.88, 0.881, 0.88, 0.879]))
            .Add(new BarSeries("CNN", [0.92, 0.921, double.NaN, 0.919]));
        var doc = SvgAssert.WellFormed(chart.ToSvg());
        var texts = SvgAssert.Texts(doc);
        foreach (var s in new[] { "MLP", "CNN", "accuracy", "F1", "0.880", "0.921", "score", "Metrics" }) Assert.Contains(s, texts);
        int bars = doc.Descendants(SvgAssert.Ns + "rect").Count(r => (string?)r.Attribute("fill") is "#0072B2" or "#D55E00");
        Assert.Equal(7 + 2, bars); // 7 finite values + 2 legend swatches
    }

    [Fact]
    public void HorizontalBarChartKeepsLongCategoryNames()
    {
        var chart = new BarChart(Classes) { Horizontal = true, ValueLabel = "F1" }.Add(new BarSeries("F1", new double[10]));
        var texts = SvgAssert.Texts(SvgAssert.WellFormed(chart.ToSvg()));
        Assert.Contains("T-shirt/top", texts);
        Assert.Contains("Ankle boot", texts);
        var vertical = new BarChart(Classes) { Width = 400 }.Add(new BarSeries("F1", new double[10]));
        var doc = SvgAssert.WellFormed(vertical.ToSvg());
        Assert.Contains(doc.Descendants(SvgAssert.Ns + "text"), t => t.Value == "T-shirt/top" && ((string?)t.Attribute("transform"))?.StartsWith("rotate(-40") == true);
    }

    [Fact]
    public void ConfusionHeatmapAnnotatesEveryCellWithContrastingText()
    {
        var counts = new long[10, 10];
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 10; j++) counts[i, j] = i == j ? 900 + i : (i + j) % 7;
        var doc = SvgAssert.WellFormed(Heatmap.Confusion(counts, Classes, normalize: false, "Confusion matrix").ToSvg());
        var texts = SvgAssert.Texts(doc);
        Assert.Contains("909", texts);
        Assert.Contains("predicted", texts);
        Assert.Contains("actual", texts);
        Assert.Equal(2, texts.Count(t => t == "Ankle boot")); // on both axes
        var dark = doc.Descendants(SvgAssert.Ns + "text").Single(t => t.Value == "909");
        Assert.Equal("#fff", (string?)dark.Attribute("fill"));

        var norm = SvgAssert.WellFormed(Heatmap.Confusion(counts, Classes, normalize: true).ToSvg());
        var normTexts = SvgAssert.Texts(norm);
        Assert.Contains("0.97", normTexts);
        Assert.Contains("1.0", normTexts); // colour bar top
        Assert.Contains(norm.Descendants(SvgAssert.Ns + "text"), t => t.Value == "T-shirt/top" && t.Attribute("transform") is not null);
    }

    [Fact]
    public void ImageGridEmbedsPngsAndColoursMistakesRed()
    {
        var img = new GrayImage(28, 28, new byte[784]);
        var grid = new ImageGrid { Title = "Predictions", Columns = 2 }
            .Add(img, "pred: Shirt 93%\n(true: T-shirt/top)", highlight: true)
            .Add(GrayImage.FromFloats(28, 28, new float[784]), "pred: Bag 99%");
        var doc = SvgAssert.WellFormed(grid.ToSvg());
        var images = doc.Descendants(SvgAssert.Ns + "image").ToList();
        Assert.Equal(2, images.Count);
        Assert.StartsWith("data:image/png;base64,iVBORw0KGgo", (string)images[0].Attribute("href")!);
        var red = doc.Descendants(SvgAssert.Ns + "text").Single(t => t.Value == "pred: Shirt 93%");
        Assert.Equal(Palette.Error, (string?)red.Attribute("fill"));
        Assert.Contains("(true: T-shirt/top)", SvgAssert.Texts(doc));
        Assert.NotEqual(Palette.Error, (string?)doc.Descendants(SvgAssert.Ns + "text").Single(t => t.Value == "pred: Bag 99%").Attribute("fill"));
    }

    [Fact]
    public void AutoScaledImagesStretchToFullRange()
    {
        var g = GrayImage.FromFloatsAutoScaled(2, 1, [-0.5f, 0.25f]);
        Assert.Equal(new byte[] { 0, 255 }, g.Pixels);
        Assert.Equal(new byte[] { 128, 128 }, GrayImage.FromFloatsAutoScaled(2, 1, [3f, 3f]).Pixels);
    }

    [Fact]
    public void TableRendersEscapedHtmlAndSvg()
    {
        var table = new Table(["model", "accuracy", "time"], [["MLP <small>", "0.881", "12.5s"], ["CNN & co", "0.921", "40.1s"]]);
        table.Bold.Add(1);
        string html = table.ToHtml();
        Assert.Contains("MLP &lt;small&gt;", html);
        Assert.Contains("<td class=\"num\">0.921</td>", html);
        Assert.Contains("<tr class=\"best\">", html);
        XDocument.Parse(html);
        var texts = SvgAssert.Texts(SvgAssert.WellFormed(table.ToSvg("Key metrics")));
        Assert.Contains("CNN & co", texts);
        Assert.Throws<ArgumentException>(() => new Table(["a", "b"], [["1"]]));
    }
}
