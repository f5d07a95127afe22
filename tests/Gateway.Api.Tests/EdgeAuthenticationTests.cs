using System.Diagnostics;
using System.Net;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Gateway.Api.Tests;

public sealed class EdgeAuthenticationTests(GatewayFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    public static TheoryData<string> Forgeries => new(TestTokenIssuer.Forgeries);

    [Fact]
    public async Task AProtectedRouteWithoutATokenIs401WithABearerChallengeAndNothingIsForwarded()
    {
        using var client = fixture.Client();

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task AForgedOrUnacceptableTokenIsRejectedAtTheEdge(string forgery)
    {
        using var client = fixture.Client(fixture.Tokens.Forge(forgery, TestTokenIssuer.NewSubject(), wrongAudience: "payments"));

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("auditor", "POST", "/api/v1/trading/orders", HttpStatusCode.Forbidden)]
    [InlineData("auditor", "GET", "/api/v1/trading/orders", HttpStatusCode.OK)]
    [InlineData("auditor", "GET", "/api/v1/trading/accounts", HttpStatusCode.Forbidden)]
    [InlineData("trader", "GET", "/api/v1/admin/users", HttpStatusCode.Forbidden)]
    [InlineData("admin", "GET", "/api/v1/admin/users", HttpStatusCode.OK)]
    [InlineData("client:trading:read", "GET", "/api/v1/trading/quotes/AAPL", HttpStatusCode.OK)]
    [InlineData("client:trading:read", "POST", "/api/v1/trading/orders", HttpStatusCode.Forbidden)]
    [InlineData("client:audit:read", "GET", "/api/v1/trading/quotes/AAPL", HttpStatusCode.Forbidden)]
    public async Task AValidTokenWithoutTheRouteRoleIs403(string role, string method, string path, HttpStatusCode expected)
    {
        // Scopes as identity grants them: an auditor also carries trading:read, which must not open trader routes.
        // A client-credentials token ("client:<scope>") has a scope and no role.
        string[] scopes = role switch { "trader" => ["trading:read", "trading:write"], "auditor" => ["trading:read", "audit:read"], "admin" => ["audit:read"], _ => [role["client:".Length..]] };
        string[]? roles = role.StartsWith("client:", StringComparison.Ordinal) ? null : [role];
        using var client = fixture.Client(fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: roles, scopes: scopes));
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null };
        request.Headers.Add("Idempotency-Key", "k");

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task ARevokedSessionIsRejectedOnEveryReplicaWithinOneSecond()
    {
        await using var second = fixture.CreateGateway(fixture.Backend.Address);
        var sessionId = Guid.NewGuid().ToString("N");
        var token = fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["trader"], sessionId: sessionId);
        using var replicaA = fixture.Client(token);
        using var replicaB = GatewayFixture.Client(second, token);
        Assert.Equal(HttpStatusCode.OK, (await replicaA.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await replicaB.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative))).StatusCode);

        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        await cache.GetDatabase().StringSetAsync($"revoked:sid:{sessionId}", "1", TimeSpan.FromMinutes(6));
        var published = Stopwatch.StartNew();
        await cache.GetSubscriber().PublishAsync(RedisChannel.Literal("revocations"), sessionId);

        var rejectedA = await RejectedWithinAsync(replicaA, TimeSpan.FromSeconds(1));
        var rejectedB = await RejectedWithinAsync(replicaB, TimeSpan.FromSeconds(1));
        output.WriteLine($"both replicas rejected the session {published.ElapsedMilliseconds} ms after the notice");
        Assert.True(rejectedA && rejectedB);
    }

    [Fact]
    public async Task AFreshReplicaKnowsTheRevokedSessionsAndAcceptsWritesFromItsFirstRequest()
    {
        var sessionId = Guid.NewGuid().ToString("N");
        await using (var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString))
        {
            await cache.GetDatabase().StringSetAsync($"revoked:sid:{sessionId}", "1", TimeSpan.FromMinutes(6));
        }

        await using var fresh = fixture.CreateGateway(fixture.Backend.Address);
        using var revoked = GatewayFixture.Client(fresh, fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["trader"], sessionId: sessionId));
        using var live = GatewayFixture.Client(fresh, fixture.Tokens.Trader());
        using var write = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        write.Headers.Add("Idempotency-Key", "first");

        using var first = await live.SendAsync(write);
        using var refused = await revoked.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task ARevocationMissedOnTheChannelIsRecoveredFromTheCacheKeys()
    {
        var sessionId = Guid.NewGuid().ToString("N");
        using var client = fixture.Client(fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["trader"], sessionId: sessionId));
        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        await cache.GetDatabase().StringSetAsync($"revoked:sid:{sessionId}", "1", TimeSpan.FromMinutes(6));

        await fixture.Gateway.Services.GetRequiredService<Auth.RevocationSet>().ReconcileAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative))).StatusCode);
    }

    private static async Task<bool> RejectedWithinAsync(HttpClient client, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        do
        {
            using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                return true;
            }

            await Task.Delay(20);
        }
        while (deadline.Elapsed < within);
        return false;
    }
}
