using System.Text.Json;
using Atelier.Reports;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Atelier.Tests.Reports;

/// <summary>Opens a study report in headless Chromium: no console errors, every figure visible; saves a screenshot.</summary>
public sealed class StudyReportBrowserTests(ITestOutputHelper output)
{
    [ChromiumFact]
    public async Task The_study_report_renders_in_chromium_with_every_figure_and_no_errors()
    {
        var (record, trials) = StudyReportFixture.Mixed();
        string dir = Path.Combine(Path.GetTempPath(), "atelier-studyreport-browser-" + Guid.NewGuid().ToString("N")[..8]);
        string path = StudyReport.Write(record, trials, Path.Combine(dir, "report.html"));
        using var playwright = await HeadlessChromium.StartAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await HeadlessChromium.NewPageAsync(browser);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") lock (errors) errors.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (errors) errors.Add($"page error: {e}"); };
        await page.GotoAsync(new Uri(path).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        var json = await page.EvalOnSelectorAllAsync<JsonElement>("section figure > svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })");
        var boxes = json.EnumerateArray().Select(e => (W: e[0].GetDouble(), H: e[1].GetDouble())).ToList();
        Assert.Equal(8, boxes.Count);
        Assert.All(boxes, b => Assert.True(b.W > 300 && b.H > 150, $"a figure is {b.W}×{b.H}"));
        foreach (var svg in await page.QuerySelectorAllAsync("section figure > svg")) Assert.True(await svg.IsVisibleAsync());
        Assert.Equal(2, await page.Locator("table.atelier-table").CountAsync()); // best trial, trials

        string screenshot = Path.Combine(dir, "study-report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"screenshot: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 50_000);
        Assert.Empty(errors);
    }
}
