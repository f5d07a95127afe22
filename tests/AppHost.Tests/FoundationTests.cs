using System.Net;
using StackExchange.Redis;

namespace AppHost.Tests;

public sealed class FoundationTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task GatewayIsHealthyOnceCacheIdentityAndTradingRun()
    {
        using var client = fixture.CreateGatewayClient();

        // On a loaded machine a first cache call can be slow enough for a moment's local fallback
        // ("degraded"); the gateway must settle at healthy, asked about once a second (the
        // readiness result is kept a few seconds and anonymous /health is rate limited).
        var body = string.Empty;
        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 30 && body != "{\"status\":\"healthy\"}"; attempt++)
        {
            if (response is not null)
            {
                response.Dispose();
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            response = await client.GetAsync(new Uri("/health", UriKind.Relative));
            body = await response.Content.ReadAsStringAsync();
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
            Assert.Equal("{\"status\":\"healthy\"}", body);
            Assert.False(response.Headers.Contains("Server"));
        }
    }

    [Fact]
    public async Task EveryServiceReadsAndWritesTheSharedCache()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("cache");
        await using var cache = await ConnectionMultiplexer.ConnectAsync(connectionString!);
        var server = cache.GetServers()[0];

        foreach (var service in new[] { "Identity.Api", "Trading.Api", "Gateway.Api" })
        {
            var probes = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: $"health:{service}:*"))
            {
                probes.Add(key);
            }

            Assert.True(probes.Count > 0, $"{service} left no health probe key in the cache");
        }
    }
}
