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

        // Readiness: right after start the cache connection may still be opening (503 until then).
        var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        for (var attempt = 0; attempt < 20 && response.StatusCode != HttpStatusCode.OK; attempt++)
        {
            response.Dispose();
            await Task.Delay(500);
            response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        }

        using var ready = response;
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("healthy", (await ready.Content.ReadFromJsonAsync<HealthBody>())?.Status);
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
