using System.Net;

namespace AppHost.Tests;

public sealed class CacheOutageTests(EmbeddedCacheAppHostFixture fixture) : IClassFixture<EmbeddedCacheAppHostFixture>
{
    [Fact]
    public async Task StoppingTheCacheTurnsHealthTo503AndStartingItBackRestoresIt()
    {
        using var client = fixture.CreateGatewayClient();

        await fixture.App.ResourceCommands.ExecuteCommandAsync("cache", "cache-stop").WaitAsync(AppHostFixture.RequestTimeout);
        // Readiness reports are kept a few seconds, so the outage shows on the next fresh one.
        var whileDown = await PollUntilAsync(client, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown);

        await fixture.App.ResourceCommands.ExecuteCommandAsync("cache", "cache-start").WaitAsync(AppHostFixture.RequestTimeout);
        var recovered = await PollUntilAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, recovered);
    }

    private static async Task<HttpStatusCode> PollUntilAsync(HttpClient client, HttpStatusCode wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        HttpStatusCode last;
        do
        {
            using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
            last = response.StatusCode;
            if (last == wanted)
            {
                break;
            }

            await Task.Delay(1000); // within the per-caller /health budget (60 a minute)
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }
}
