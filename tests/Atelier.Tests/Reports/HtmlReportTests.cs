using Atelier.Reports;

namespace Atelier.Tests.Reports;

public sealed class HtmlReportTests
{
    [Fact]
    public void EscapesTextAndRejectsNonSvgFigures()
    {
        var r = new HtmlReport("Run <1> & co", "sub \"title\"")
            .AddText("Summary <script>", "Linear(784 -> 10) <b>")
            .AddFigure("Loss", new LineChart().Add(LineSeries.PerEpoch("x", [1, 2])).ToSvg(), "cap & tion");
        string html = r.ToHtml();
        Assert.Contains("<title>Run &lt;1&gt; &amp; co</title>", html);
        Assert.Contains("Summary &lt;script&gt;", html);
        Assert.Contains("Linear(784 -&gt; 10) &lt;b&gt;", html);
        Assert.Contains("<figcaption>cap &amp; tion</figcaption>", html);
        Assert.DoesNotContain("<script", html);
        Assert.Throws<ArgumentException>(() => r.AddFigure("bad", "<div/>"));
    }

    [Fact]
    public void WritesFiguresAndOverwritesAtomically()
    {
        string dir = Path.Combine(Path.GetTempPath(), "atelier-html-" + Guid.NewGuid().ToString("N"));
        try
        {
            string html = Path.Combine(dir, "sub", "report.html");
            var r = new HtmlReport("T").AddFigure("Accuracy / epoch (%)", new LineChart().ToSvg())
                .AddTable("Runs", new Table(["a"], [["1"]]));
            r.Write(html, Path.Combine(dir, "fig"));
            File.WriteAllText(html, "old");
            var files = r.Write(html, Path.Combine(dir, "fig"));
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
            Assert.Equal(new[] { "01-accuracy-epoch.svg", "report.html" }, files.Select(f => Path.GetFileName(f)).ToArray());
            Assert.StartsWith("<?xml", File.ReadAllText(Path.Combine(dir, "fig", "01-accuracy-epoch.svg")));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
