using System.Text.Json;
using Atelier.Tests.Cli;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Atelier.Tests.Reports;

/// <summary>A [Fact] that is skipped, with the reason, where Debian's chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"No browser at {Chromium}: install Debian's chromium (apt-get install -y chromium) to run the browser test.";
    }
}

/// <summary>
/// Opens the experiment report in a real headless Chromium (through Playwright, never downloading a browser): no
/// console errors, no network requests, every figure laid out with a size, no overlapping labels; saves a screenshot.
/// </summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    [ChromiumFact]
    public async Task The_report_renders_in_chromium_with_every_figure_and_no_errors()
    {
        var x = ExperimentReportFixture.Get();
        Assert.True(File.Exists(x.ReportPath), x.First.Output + x.Second.Output);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var playwright = await HeadlessChromium.StartAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser);
        var errors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") lock (errors) errors.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"page error: {e}"); };
        page.RequestFailed += (_, r) => { lock (errors) errors.Add($"failed request: {r.Url}"); };
        page.Request += (_, r) => { if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) lock (requests) requests.Add(r.Url); };

        await page.GotoAsync(new Uri(x.ReportPath).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        int figureFiles = Directory.GetFiles(x.FiguresFolder, "*.svg").Length;
        var figures = await Boxes(page, "section figure > svg");
        Assert.Equal(figureFiles, figures.Count);
        Assert.All(figures, b => Assert.True(b.Width > 100 && b.Height > 50, $"a figure is {b.Width}×{b.Height}"));
        var tables = await Boxes(page, "section figure table");
        Assert.Equal(5, tables.Count); // key metrics, and per run: classification report and architecture
        Assert.All(tables, b => Assert.True(b.Width > 0 && b.Height > 0));
        var images = await Boxes(page, "section figure svg image");
        Assert.True(images.Count >= 16 + 16 + 32 + 20, $"only {images.Count} embedded images");
        Assert.All(images, b => Assert.True(b.Width > 10 && b.Height > 10, $"an image is {b.Width}×{b.Height}"));

        // Level labels of one figure must not cover each other (rotated ones are checked by the chart tests).
        string overlaps = await page.EvaluateAsync<string>("""
            () => {
              const found = [];
              document.querySelectorAll('section figure > svg').forEach((svg, f) => {
                const boxes = [...svg.querySelectorAll('text')].filter(t => !t.getAttribute('transform') && t.textContent.trim())
                  .map(t => ({ text: t.textContent, r: t.getBoundingClientRect() }));
                for (let i = 0; i < boxes.length; i++)
                  for (let j = i + 1; j < boxes.length; j++) {
                    const a = boxes[i].r, b = boxes[j].r;
                    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                    if (w > 1 && h > 2) found.push(`figure ${f + 1}: "${boxes[i].text}" / "${boxes[j].text}"`);
                  }
              });
              return found.slice(0, 20).join('\n');
            }
            """);
        Assert.True(overlaps.Length == 0, "overlapping labels:\n" + overlaps);

        string screenshot = Path.Combine(Environment.GetEnvironmentVariable("ATELIER_REPORT_SAMPLE") ?? x.Root, "report-screenshot.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"browser part: {clock.ElapsedMilliseconds} ms");
        output.WriteLine($"screenshot: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 50_000);
        Assert.Empty(errors);
        Assert.Empty(requests);
    }

    private sealed record Box(double Width, double Height);

    private static async Task<List<Box>> Boxes(IPage page, string selector)
    {
        var json = await page.EvalOnSelectorAllAsync<JsonElement>(selector, "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })");
        var boxes = new List<Box>();
        foreach (var e in json.EnumerateArray()) boxes.Add(new Box(e[0].GetDouble(), e[1].GetDouble()));
        return boxes;
    }
}
