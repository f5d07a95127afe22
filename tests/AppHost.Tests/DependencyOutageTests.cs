using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AspireGateway.Tests;

namespace AppHost.Tests;

/// <summary>A dependency stopped and started again while the system runs, as an operator would.</summary>
public sealed class DependencyOutageTests(EmbeddedCacheAppHostFixture fixture) : IClassFixture<EmbeddedCacheAppHostFixture>
{
    /// <summary>The trading routes' timeout (<c>ReverseProxy:Routes:trading-*:Timeout</c> in the gateway's settings).</summary>
    private static readonly TimeSpan TradingRouteTimeout = TimeSpan.FromSeconds(15);

    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

    [Fact]
    public async Task StoppingTheCacheTurnsHealthTo503AndStartingItBackRestoresIt()
    {
        using var client = fixture.CreateGatewayClient();
        var health = new Uri("/health", UriKind.Relative);

        await fixture.App.ResourceCommands.ExecuteCommandAsync("cache", "cache-stop").WaitAsync(AppHostFixture.RequestTimeout);
        // Readiness reports are kept a few seconds, so the outage shows on the next fresh one.
        // Polled once a second: within the per-caller /health budget (60 a minute).
        var whileDown = await Poll.UntilAsync(() => client.GetAsync(health), HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown);

        await fixture.App.ResourceCommands.ExecuteCommandAsync("cache", "cache-start").WaitAsync(AppHostFixture.RequestTimeout);
        var recovered = await Poll.UntilAsync(() => client.GetAsync(health), HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, recovered);
    }

    [Fact]
    public async Task AStoppedTradingServiceCostsItsClientsMillisecondsAndIsServedAgainOnceStarted()
    {
        using var client = fixture.CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RegisterAsync(client));
        using var whileRunning = await client.GetAsync(Accounts);

        var stopped = await fixture.App.ResourceCommands.ExecuteCommandAsync("trading", KnownResourceCommands.StopCommand).WaitAsync(AppHostFixture.RequestTimeout);
        // The gateway's probes find it down within seconds; until then a request costs one attempt at most.
        var firstKnownDown = await Poll.UntilAsync(() => client.GetAsync(Accounts), HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(250));
        var knownDown = new List<(HttpStatusCode Status, bool RetryAfter, TimeSpan Took)>();
        for (var i = 0; i < 3; i++)
        {
            var took = Stopwatch.StartNew();
            using var response = await client.GetAsync(Accounts);
            knownDown.Add((response.StatusCode, response.Headers.RetryAfter is not null, took.Elapsed));
        }

        var started = await fixture.App.ResourceCommands.ExecuteCommandAsync("trading", KnownResourceCommands.StartCommand).WaitAsync(AppHostFixture.RequestTimeout);
        var recovered = await Poll.UntilAsync(() => client.GetAsync(Accounts), HttpStatusCode.OK, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));

        Assert.Equal(HttpStatusCode.OK, whileRunning.StatusCode);
        Assert.True(stopped.Success, stopped.Message);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, firstKnownDown);
        Assert.All(knownDown, answer =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            Assert.True(answer.RetryAfter);
            Assert.True(answer.Took < TradingRouteTimeout / 3, $"answered after {answer.Took}, the route timeout is {TradingRouteTimeout}");
        });
        Assert.True(started.Success, started.Message);
        Assert.Equal(HttpStatusCode.OK, recovered);
    }

    private static async Task<string> RegisterAsync(HttpClient client)
    {
        using var registered = await CredentialsBudget.PostAsJsonAsync(client, "/api/v1/auth/register",
            new { username = $"outage-{Guid.NewGuid():N}", email = $"outage-{Guid.NewGuid():N}@example.com", password = "a long enough passphrase" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }
}
