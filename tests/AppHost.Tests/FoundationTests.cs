using System.Net;
using StackExchange.Redis;

namespace AppHost.Tests;

public sealed class FoundationTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task GatewayIsHealthyOnceCacheIdentityAndTradingRun()
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"healthy\"}", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Server"));
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
