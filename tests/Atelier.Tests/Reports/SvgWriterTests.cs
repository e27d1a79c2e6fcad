using Atelier.Reports;

namespace Atelier.Tests.Reports;

public sealed class SvgWriterTests
{
    [Fact]
    public void EscapesMarkupAndDropsInvalidXmlCharacters()
    {
        Assert.Equal("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;", SvgWriter.Escape("a <b> & \"c\" 'd'"));
        Assert.Equal("ab", SvgWriter.Escape("a\u0001b"));
        Assert.Equal("plain", SvgWriter.Escape("plain"));
        var svg = new SvgWriter(10, 10, "<&>").Text(1, 2, "x<&>\u0007y").Finish();
        var doc = SvgAssert.WellFormed(svg);
        Assert.Contains("x<&>y", SvgAssert.Texts(doc));
    }

    [Fact]
    public void NumbersAreInvariantCompactAndNeverNaN()
    {
        var saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("fr-FR");
            Assert.Equal("1.5", SvgWriter.Num(1.5));
        }
        catch (System.Globalization.CultureNotFoundException) { } // invariant-globalization builds have no fr-FR
        finally { Thread.CurrentThread.CurrentCulture = saved; }
        Assert.Equal("12", SvgWriter.Num(12.0));
        Assert.Equal("0.33", SvgWriter.Num(1.0 / 3));
        Assert.Equal("-2.5", SvgWriter.Num(-2.5));
        Assert.Equal("0", SvgWriter.Num(-0.001));
        Assert.Equal("0", SvgWriter.Num(double.NaN));
        Assert.Equal("0", SvgWriter.Num(double.PositiveInfinity));
    }

    [Fact]
    public void TextFitsWithEllipsis()
    {
        Assert.Equal("short", TextMetrics.Fit("short", 100, 10));
        string cut = TextMetrics.Fit("a very long category name indeed", 60, 10);
        Assert.EndsWith("…", cut);
        Assert.True(TextMetrics.Width(cut, 10) <= 60);
    }

    [Fact]
    public void RollingAverageIsTrailingMeanWithMinPeriodsOne()
    {
        double[] r = RollingAverage.Compute([1, 2, 3, 4, double.NaN, 6], 3);
        Assert.Equal([1, 1.5, 2, 3, 3.5, 5], r);
        Assert.True(double.IsNaN(RollingAverage.Compute([double.NaN], 2)[0]));
    }

    [Fact]
    public void ColorMapsRunFromEndToEndAndPickReadableText()
    {
        Assert.Equal("#440154", ColorMap.Viridis.Hex(0));
        Assert.Equal("#fde725", ColorMap.Viridis.Hex(1));
        Assert.Equal("#fde725", ColorMap.Viridis.Hex(7));
        Assert.Equal("#440154", ColorMap.Viridis.Hex(double.NaN));
        Assert.Equal("#fff", ColorMap.Viridis.TextColor(0));
        Assert.Equal("#000", ColorMap.Viridis.TextColor(1));
        Assert.Equal("#000", ColorMap.Blues.TextColor(0));
        Assert.Equal("#fff", ColorMap.Blues.TextColor(1));
        Assert.Equal(8, Palette.OkabeIto.Length);
        Assert.Equal(Palette.Color(0), Palette.Color(8));
    }
}
