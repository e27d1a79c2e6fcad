using Atelier.Server.Pages;
using Atelier.Tests.Reports;
using Atelier.Training;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Atelier.Tests.Server.Pages;

/// <summary>
/// The pages in Debian's headless Chromium (through Playwright, never downloading a browser), against the real server:
/// the runs page, a run page gaining points while a real training runs beside the server, compare, and the predict
/// canvas. No console errors; a screenshot of each (their folder is printed) to look at.
/// </summary>
[Collection("pages server")]
public sealed class PageBrowserTests(PagesServer server, ITestOutputHelper output)
{
    private static readonly string Shots = Path.Combine(Environment.GetEnvironmentVariable("ATELIER_SCREENSHOTS") ?? Path.GetTempPath(), "atelier-pages-screenshots");

    [ChromiumFact]
    public async Task The_runs_page_lists_filters_sorts_and_opens_compare()
    {
        await using var b = await Browser.Open(server.Address);
        await b.Page.GotoAsync("/");
        int rows = await b.Page.Locator("#runs tbody tr").CountAsync();
        Assert.True(rows >= 4, $"{rows} rows");
        await b.Page.FillAsync("#filter", "sweep");
        Assert.Equal(2, await b.Page.Locator("#runs tbody tr:visible").CountAsync());
        await b.Page.FillAsync("#filter", "");
        await b.Page.ClickAsync("th:has-text('Test accuracy')");
        await b.Page.ClickAsync("th:has-text('Test accuracy')"); // descending: the best first
        await b.Screenshot("runs.png", output);
        Assert.True(await b.Page.IsDisabledAsync("#compare-button"));
        await b.Page.CheckAsync($"input[value='{server.SweepA}']");
        await b.Page.CheckAsync($"input[value='{server.SweepB}']");
        Assert.Equal("Compare 2 selected", await b.Page.TextContentAsync("#compare-button"));
        await b.Page.ClickAsync("#compare-button");
        await b.Page.WaitForURLAsync("**/compare?**");
        Assert.Contains("Key metrics", await b.Page.ContentAsync());
        Assert.Equal(4, await b.Page.Locator("figure svg").CountAsync());
        await b.Screenshot("compare.png", output);
        b.AssertNoErrors();
    }

    [ChromiumFact]
    public async Task A_run_page_gains_points_while_the_run_trains_without_a_reload()
    {
        // A real training beside the server, slowed down per epoch so the page sees it running.
        var training = Task.Run(() => server.Train("live", null, epochs: 6, observer: new Slow()));
        string id = await RunningId("live", training);

        await using var b = await Browser.Open(server.Address);
        await b.Page.GotoAsync(Html.RunUrl(id));
        Assert.Equal("true", await b.Page.GetAttributeAsync("#run", "data-live"));
        await b.Page.EvaluateAsync("() => { window.notReloaded = true; }");
        int before = await Points(b.Page);
        await b.Page.WaitForFunctionAsync($"() => {PointsScript} >= {before + 2}", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await b.Screenshot("run-live.png", output);
        await training;
        await b.Page.WaitForFunctionAsync("() => document.getElementById('status').textContent === 'finished'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await b.Page.WaitForSelectorAsync("#results table", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await b.Page.WaitForFunctionAsync($"() => {PointsScript} === Number(document.getElementById('epochs').textContent)", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.True(await b.Page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");
        output.WriteLine($"loss chart points: {before} when opened, {await Points(b.Page)} at the end");

        // The smoothing slider redraws with the smoothed curve over the faded raw one.
        await b.Page.Locator("#smoothing").FillAsync("0.8");
        await b.Page.WaitForFunctionAsync("() => document.querySelector('figure[data-chart=loss] svg').textContent.includes('smoothed 0.80')");
        await b.Screenshot("run.png", output);
        b.AssertNoErrors();
    }

    [ChromiumFact]
    public async Task Drawing_a_trouser_on_the_canvas_shows_a_prediction_or_the_api_s_sentence()
    {
        bool api = (await server.Client.GetAsync("/api/v1/models")).IsSuccessStatusCode;
        await using var b = await Browser.Open(server.Address, ignoreMissingApi: !api);
        await b.Page.GotoAsync("/predict");
        var box = (await b.Page.Locator("#canvas").BoundingBoxAsync())!;
        // Two legs joined at the waist, as Fashion-MNIST draws trousers: light on dark, filling the frame's height.
        foreach (var (x0, x1) in new[] { (0.38, 0.32), (0.62, 0.68) })
        {
            await b.Page.Mouse.MoveAsync((float)(box.X + box.Width * 0.5), (float)(box.Y + box.Height * 0.12));
            await b.Page.Mouse.DownAsync();
            await b.Page.Mouse.MoveAsync((float)(box.X + box.Width * x0), (float)(box.Y + box.Height * 0.15), new MouseMoveOptions { Steps = 5 });
            await b.Page.Mouse.MoveAsync((float)(box.X + box.Width * x1), (float)(box.Y + box.Height * 0.9), new MouseMoveOptions { Steps = 15 });
            await b.Page.Mouse.UpAsync();
        }
        if (api)
        {
            await b.Page.WaitForSelectorAsync("#bars li", new PageWaitForSelectorOptions { Timeout = 30_000 });
            string top = (await b.Page.TextContentAsync("#bars li:first-child .name"))!;
            output.WriteLine($"the trouser stroke reads as {top}");
            Assert.Equal("Trouser", top);
        }
        else
        {
            await b.Page.WaitForFunctionAsync("() => document.getElementById('message').className === 'error'");
            string sentence = (await b.Page.TextContentAsync("#message"))!;
            output.WriteLine($"no prediction API on this branch; the page says: {sentence}");
            Assert.Matches("^(This server has no prediction API|The server answered 404)", sentence);
        }
        await b.Screenshot("predict.png", output);

        // A JPEG chosen as a file: made by the browser itself from the drawing, so the test needs no encoder.
        var jpeg = await b.Page.EvaluateAsync<string>("() => document.getElementById('canvas').toDataURL('image/jpeg', 0.9)");
        await b.Page.SetInputFilesAsync("#file", new FilePayload { Name = "trouser.jpg", MimeType = "image/jpeg", Buffer = Convert.FromBase64String(jpeg[(jpeg.IndexOf(',') + 1)..]) });
        if (api)
        {
            await b.Page.WaitForFunctionAsync("() => document.getElementById('message').textContent.startsWith('Most likely')", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            Assert.Equal("Trouser", await b.Page.TextContentAsync("#bars li:first-child .name"));
        }
        else
        {
            await b.Page.WaitForFunctionAsync("() => document.getElementById('message').textContent.startsWith('The server answered 404')");
        }
        b.AssertNoErrors();
    }

    private const string PointsScript = "((document.querySelector('figure[data-chart=loss] path.series') || {getAttribute: () => ''}).getAttribute('d') || '').split(/[ML]/).length - 1";

    private static Task<int> Points(IPage page) => page.EvaluateAsync<int>($"() => {PointsScript}");

    /// <summary>The id of the run named <paramref name="name"/> once the store lists it as running and it has no more than one epoch.</summary>
    private async Task<string> RunningId(string name, Task training)
    {
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromMinutes(2);)
        {
            if (training.IsFaulted) await training;
            var run = server.Catalog.Runs().FirstOrDefault(r => r.Id.EndsWith("-" + name, StringComparison.Ordinal) && r.Status == "running");
            if (run is not null) return run.Id;
            await Task.Delay(50);
        }
        throw new TimeoutException("The live run never showed up as running in the store.");
    }

    /// <summary>Sleeps after each epoch: a tiny run would otherwise finish before the browser opens its page.</summary>
    private sealed class Slow : ITrainingObserver
    {
        public void EpochEnded(EpochMetrics metrics, bool isBest) => Thread.Sleep(1500);
    }

    /// <summary>Headless Chromium with one page on the server, collecting console errors, page errors and failed requests.</summary>
    private sealed class Browser : IAsyncDisposable
    {
        private readonly IPlaywright playwright;
        private readonly IBrowser browser;
        private readonly List<string> errors = [];

        private Browser(IPlaywright playwright, IBrowser browser, IPage page)
        {
            this.playwright = playwright;
            this.browser = browser;
            Page = page;
        }

        public IPage Page { get; }

        public static async Task<Browser> Open(string address, bool ignoreMissingApi = false)
        {
            Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = address, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var b = new Browser(playwright, browser, page);
            page.Console += (_, m) =>
            {
                // Without the API branch, its 404s are expected (and the page says so in a sentence).
                if (ignoreMissingApi && m.Text.Contains("404", StringComparison.Ordinal)) return;
                if (m.Type is "error" or "warning") lock (b.errors) b.errors.Add($"console {m.Type}: {m.Text}");
            };
            page.PageError += (_, e) => { lock (b.errors) b.errors.Add($"page error: {e}"); };
            page.RequestFailed += (_, r) =>
            {
                if (r.Failure?.Contains("ERR_ABORTED", StringComparison.Ordinal) == true && r.Url.Contains("/events/", StringComparison.Ordinal)) return; // EventSource closed on purpose
                lock (b.errors) b.errors.Add($"failed request: {r.Url} {r.Failure}");
            };
            page.Request += (_, r) => { if (!r.Url.StartsWith(address, StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) lock (b.errors) b.errors.Add($"request off the server: {r.Url}"); };
            return b;
        }

        public async Task Screenshot(string name, ITestOutputHelper output)
        {
            Directory.CreateDirectory(Shots);
            string path = Path.Combine(Shots, name);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            output.WriteLine($"screenshot: {path}");
        }

        public void AssertNoErrors()
        {
            lock (errors) Assert.True(errors.Count == 0, string.Join('\n', errors));
        }

        public async ValueTask DisposeAsync()
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
