using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

public sealed class HealthTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task HealthIsHealthyAfterARoundTripThroughTheSharedCache()
    {
        using var client = fixture.Client();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await response.Content.ReadFromJsonAsync<HealthBody>())?.Status);
        var probes = await CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, $"health:Trading.Api:*:{Environment.ProcessId}");
        Assert.Single(probes);
    }

    [Fact]
    public async Task AliveAnswersWhileTheProcessRuns()
    {
        using var client = fixture.Client();

        using var response = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed record HealthBody(string Status);
}
