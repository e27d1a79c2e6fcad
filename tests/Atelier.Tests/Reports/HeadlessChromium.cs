using Microsoft.Playwright;

namespace Atelier.Tests.Reports;

/// <summary>Debian's Chromium through Playwright, as every browser test opens it: headless, never downloading a browser, one 1280×900 page.</summary>
internal static class HeadlessChromium
{
    public static Task<IPlaywright> StartAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        return Playwright.CreateAsync();
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumFactAttribute.Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    /// <param name="baseUrl">the server that relative addresses go to, or null for file pages.</param>
    public static Task<IPage> NewPageAsync(IBrowser browser, string? baseUrl = null) =>
        browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
}
