using System.Diagnostics.Metrics;
using System.Net;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using static Gateway.Api.Tests.RateLimiting.RateLimitAssertions;

namespace Gateway.Api.Tests.RateLimiting;

public sealed class FallbackTests(RateLimitingFixture fixture) : IClassFixture<RateLimitingFixture>
{
    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

    [Fact]
    public async Task WhenTheCacheGoesDownTheLocalFallbackKeepsServingAndLimitingAndHealthSaysDegraded()
    {
        // A cache of this test's own, so that stopping it touches no other test (and works when CI sets a shared Redis).
        var port = Ports.FreeLoopback();
        var cache = OwnCache.Start(port, lua: true);
        await using var gateway = fixture.CreateGateway(RateLimitingFixture.SmallLimits, new Dictionary<string, string?> { ["ConnectionStrings:cache"] = OwnCache.Address(port) });
        using var metrics = new DecisionRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());
        var health = gateway.Services.GetRequiredService<HealthCheckService>();

        using var whileUp = await client.GetAsync(Accounts);
        var healthWhileUp = await RateLimitHealthAsync(health);
        cache.Dispose();
        var (allowed, rejected) = await SpendAsync(() => client.GetAsync(Accounts));
        using var _ = rejected;
        var healthWhileDown = await RateLimitHealthAsync(health);

        Assert.Equal(HttpStatusCode.OK, whileUp.StatusCode);
        Assert.Equal(HealthStatus.Healthy, healthWhileUp);
        Assert.Equal(RateLimitingFixture.ReadLimit, allowed);
        Assert.Equal("\"read\";q=5;w=60", Header(rejected, "RateLimit-Policy"));
        Assert.Equal(0, State(rejected, "read").Remaining);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Equal(429, (await ProblemAsync(rejected)).Status);
        Assert.Equal(HealthStatus.Degraded, healthWhileDown);
        Assert.Contains(("decisions", "distributed", "allowed"), metrics.Seen);
        Assert.Contains(("decisions", "fallback", "allowed"), metrics.Seen);
        Assert.Contains(("rejections", "fallback", "read"), metrics.Seen);
    }

    private static async Task<HealthStatus> RateLimitHealthAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(check => check.Name == "rate-limiting")).Entries["rate-limiting"].Status;

    /// <summary>Listens to this gateway's own rate-limiting meter (not those of gateways other tests run).</summary>
    private sealed class DecisionRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public DecisionRecorder(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AspireGateway.RateLimiting" && instrument.Meter.Scope == scope)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            {
                var values = new Dictionary<string, object?>();
                foreach (var tag in tags)
                {
                    values[tag.Key] = tag.Value;
                }

                var name = instrument.Name.Split('.')[^1];
                lock (Seen)
                {
                    Seen.Add((name, values["mode"] as string, name == "rejections" ? values["policy"] as string : values["outcome"] as string));
                }
            });
            _listener.Start();
        }

        public HashSet<(string Instrument, string? Mode, string? Detail)> Seen { get; } = [];

        public void Dispose() => _listener.Dispose();
    }
}
