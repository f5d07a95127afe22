using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Api.Tests;

/// <summary><c>/health</c> is anonymous: however often it is asked, the cache and the services behind it are not.</summary>
public sealed class HealthTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task ABurstOfHealthRequestsRunsTheReadinessChecksOnce()
    {
        var checks = 0;
        await using var gateway = fixture.CreateGateway(fixture.Backend.Address, services: services => services.AddHealthChecks()
            .AddCheck("counted", () => { Interlocked.Increment(ref checks); return HealthCheckResult.Healthy(); }));
        using var client = gateway.CreateClient();
        await ReadyAsync(client);
        var before = Volatile.Read(ref checks);

        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync(new Uri("/health", UriKind.Relative))));

        Assert.All(burst, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        // The report the readiness wait saw, or one fresh check if it has just expired: never one per request.
        Assert.InRange(checks - before, 0, 1);
        foreach (var response in burst)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task AReadinessReportServesForAFewSecondsThenTheChecksRunAgain()
    {
        var checks = 0;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = new ServiceCollection().AddLogging().AddHealthChecks()
            .AddCheck("counted", () => { Interlocked.Increment(ref checks); return HealthCheckResult.Healthy(); })
            .Services.BuildServiceProvider();
        var readiness = new ReadinessCache(services.GetRequiredService<HealthCheckService>(), clock);

        await readiness.GetAsync();
        clock.Advance(ReadinessCache.Lifetime - TimeSpan.FromMilliseconds(1));
        await readiness.GetAsync();
        var withinLifetime = checks;
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var report = await readiness.GetAsync();

        Assert.Equal(1, withinLifetime);
        Assert.Equal(2, checks);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    private static async Task ReadyAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(250);
        }
    }
}
