using System.Diagnostics.Metrics;
using System.Net;
using AspireGateway.Tests;
using Gateway.Api.Tests.Auditing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.Api.Tests;

/// <summary>The dashboard answers "are we under attack?": denials at the edge by reason, revocations applied.</summary>
public sealed class SecurityMetricsTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

    [Fact]
    public async Task DenialsAreCountedByReasonAndRevocationsAsApplied()
    {
        using var probe = new AuditMeterProbe("AspireGateway.Security");
        await using var gateway = fixture.CreateGateway(fixture.Backend.Address);
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        var sessionId = Guid.NewGuid().ToString("N");
        var subject = TestTokenIssuer.NewSubject();

        using (var anonymous = GatewayFixture.Client(gateway))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Accounts)).StatusCode);
        }

        using (var expired = GatewayFixture.Client(gateway, fixture.Tokens.Forge("expired", subject, "payments")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync(Accounts)).StatusCode);
        }

        await using (var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString))
        {
            await cache.GetDatabase().StringSetAsync($"revoked:sid:{sessionId}", "1", TimeSpan.FromMinutes(6));
            await cache.GetSubscriber().PublishAsync(RedisChannel.Literal("revocations"), sessionId);
        }

        using var revoked = GatewayFixture.Client(gateway, fixture.Tokens.Mint(subject, roles: ["trader"], sessionId: sessionId));
        var status = HttpStatusCode.OK;
        for (var attempt = 0; attempt < 50 && status != HttpStatusCode.Unauthorized; attempt++)
        {
            status = (await revoked.GetAsync(Accounts)).StatusCode;
            await Task.Delay(20);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(probe.Total(meters, "gateway.auth.denials") >= 3);
        Assert.True(probe.Total(meters, "gateway.revocations.applied") >= 1);
    }
}
