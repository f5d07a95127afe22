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

    [Theory]
    [InlineData("/api/v1/auth/me")]
    [InlineData("/api/v1/trading/accounts")]
    public async Task GatewayRoutesToTheBackendFoundThroughServiceDiscovery(string path)
    {
        using var client = fixture.CreateGatewayClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        // The gateway has no authentication of its own yet: the bearer challenge comes from the backend.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
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
