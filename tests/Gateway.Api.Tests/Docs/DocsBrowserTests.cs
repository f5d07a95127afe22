using System.Collections.Concurrent;
using Gateway.Api.Hardening;
using Microsoft.Playwright;

namespace Gateway.Api.Tests.Docs;

/// <summary>
/// <c>/api/docs</c> in a real browser: Debian's chromium, headless, driven by Playwright (never a
/// browser Playwright downloads), against the gateway on a real port.
/// </summary>
[Collection(DocsGroup.Name)]
public sealed class DocsBrowserTests(DocsFixture fixture)
{
    [ChromiumFact]
    public async Task DocsPageRendersTheOperationsInChromiumWithoutAnyCspViolation()
    {
        await using var browser = await BrowserSession.OpenAsync();

        await browser.Page.GotoAsync(new Uri(fixture.Address, "/api/docs").ToString());
        await browser.WaitForAsync("() => document.querySelector(\"a[href='#tag/trading']\") !== null");
        await browser.Page.Locator("a[href='#tag/trading']").First.ClickAsync(); // a user opens the Trading group
        await browser.WaitForAsync("() => document.body.innerText.includes('Place an order')");

        var text = await browser.Page.InnerTextAsync("body");
        Assert.Contains("Cancel an order", text, StringComparison.Ordinal);
        Assert.Contains("/api/v1/trading/orders", text, StringComparison.Ordinal);

        // "Try it": the page's API client calls the gateway (GET /, the first operation) under the same policy.
        await browser.Page.GetByText("Test Request").First.ClickAsync();
        await browser.Page.GetByText("Send").Last.ClickAsync();
        await browser.WaitForAsync("() => document.body.innerText.includes('aspire-gateway')");

        Assert.Empty(await browser.ViolationsAsync());
        Assert.DoesNotContain(browser.Console, message => message.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(browser.PageErrors);
        Assert.DoesNotContain(browser.Requests, url => !url.StartsWith(fixture.Address.ToString(), StringComparison.Ordinal) && !url.StartsWith("data:", StringComparison.Ordinal));
    }

    [ChromiumFact]
    public async Task TheSamePageUnderTheApiPolicyIsSeenAsACspViolation()
    {
        // The control: proves the checks above can fail, by serving the page with the strict API policy.
        await using var browser = await BrowserSession.OpenAsync();
        await browser.Page.RouteAsync("**/api/docs/", async route =>
        {
            var response = await route.FetchAsync();
            var headers = new Dictionary<string, string>(response.Headers) { ["content-security-policy"] = SecurityHeaders.ApiPolicy };
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Headers = headers });
        });

        await browser.Page.GotoAsync(new Uri(fixture.Address, "/api/docs/").ToString());
        await browser.Page.WaitForFunctionAsync("() => window.__cspViolations.length > 0");

        Assert.NotEmpty(await browser.ViolationsAsync());
        Assert.True(browser.Console.Any(message => message.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)), string.Join(" | ", browser.Console));
        Assert.DoesNotContain("Place an order", await browser.Page.InnerTextAsync("body"), StringComparison.Ordinal);
    }

    private sealed class BrowserSession : IAsyncDisposable
    {
        // Runs before the page's own scripts and is not itself subject to the page's policy.
        private const string ViolationRecorder = """
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
            """;

        private readonly IPlaywright _playwright;
        private readonly IBrowser _browser;

        private BrowserSession(IPlaywright playwright, IBrowser browser, IPage page)
        {
            _playwright = playwright;
            _browser = browser;
            Page = page;
            page.Console += (_, message) => Console.Enqueue($"{message.Type}: {message.Text}");
            page.PageError += (_, error) => PageErrors.Enqueue(error);
            page.Request += (_, request) => Requests.Enqueue(request.Url);
        }

        public IPage Page { get; }

        public ConcurrentQueue<string> Console { get; } = new();

        public ConcurrentQueue<string> PageErrors { get; } = new();

        public ConcurrentQueue<string> Requests { get; } = new();

        public static async Task<BrowserSession> OpenAsync()
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.ExecutablePath,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
                Timeout = 60_000,
            });
            var page = await browser.NewPageAsync();
            page.SetDefaultTimeout(60_000);
            await page.AddInitScriptAsync(ViolationRecorder);
            return new BrowserSession(playwright, browser, page);
        }

        /// <summary>Waits for a condition; on timeout, fails with what the browser saw.</summary>
        public async Task WaitForAsync(string condition)
        {
            try
            {
                await Page.WaitForFunctionAsync(condition);
            }
            catch (TimeoutException)
            {
                var body = await Page.InnerTextAsync("body");
                Assert.Fail($"Timed out waiting for {condition}.\nViolations: {string.Join(" | ", await ViolationsAsync())}\nConsole: {string.Join(" | ", Console)}\nPage errors: {string.Join(" | ", PageErrors)}\nRequests: {string.Join(" | ", Requests)}\nBody: {body[..Math.Min(body.Length, 2000)]}");
            }
        }

        public async Task<string[]> ViolationsAsync() => await Page.EvaluateAsync<string[]>("() => window.__cspViolations");

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
