using Atelier.Server;
using Atelier.Tests.Reports;
using Atelier.Tests.Server.Api;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Atelier.Tests.Server.Pages;

/// <summary>The study page in headless Chromium against the real server: every figure visible, no console errors, reached from the navigation.</summary>
public sealed class StudyPageBrowserTests(ITestOutputHelper output)
{
    [ChromiumFact]
    public async Task The_study_page_shows_every_figure_without_errors()
    {
        using var storage = StudyApiTests.Storage();
        await using var server = await RunningServer.StartAsync(new ServerOptions { Runs = Path.Combine(Path.GetTempPath(), "atelier-study-page-" + Guid.NewGuid().ToString("N")[..8]), Studies = storage });
        using var playwright = await HeadlessChromium.StartAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser, server.Address);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") lock (errors) errors.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"page error: {e}"); };
        page.RequestFailed += (_, r) => { lock (errors) errors.Add($"failed request: {r.Url} {r.Failure}"); };

        await page.GotoAsync("/");
        await page.ClickAsync("nav a[href='/studies']");
        await page.ClickAsync("a[href='/studies/lr%20%3Csweep%3E']");
        // The click returns once navigation commits; count figures only after the whole document has loaded.
        await page.WaitForURLAsync("**/studies/lr%20%3Csweep%3E", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Load });
        Assert.Equal("Study lr <sweep>", await page.TextContentAsync("h1"));
        var figures = await page.QuerySelectorAllAsync("section.study-figure figure > svg");
        Assert.Equal(8, figures.Count);
        foreach (var f in figures)
        {
            Assert.True(await f.IsVisibleAsync());
            var box = await f.BoundingBoxAsync();
            Assert.True(box is { Width: > 300, Height: > 150 }, $"a figure is {box?.Width}×{box?.Height}");
        }
        string shot = Path.Combine(Path.GetTempPath(), "atelier-pages-screenshots", "study.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");
        Assert.Empty(errors);
    }
}
