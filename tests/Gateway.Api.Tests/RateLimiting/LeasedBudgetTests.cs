using System.Net;
using AspireGateway.Tests;
using StackExchange.Redis;
using static Gateway.Api.Tests.RateLimiting.RateLimitAssertions;

namespace Gateway.Api.Tests.RateLimiting;

/// <summary>
/// A busy client's permits are taken from the shared window in leases (up to a twentieth of the
/// limit at a time): fewer cache round trips, the same promises. A limit of 100 leases up to 5.
/// </summary>
public sealed class LeasedBudgetTests(RateLimitingFixture fixture) : IClassFixture<RateLimitingFixture>
{
    private const int Limit = 100;
    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);
    private static readonly Dictionary<string, string?> LargerRead = new() { ["Gateway:RateLimiting:Policies:read:PermitLimit"] = $"{Limit}" };

    [Fact]
    public async Task RemainingFallsByOneWithEachRequestWhilePermitsAreLeasedAhead()
    {
        await using var gateway = fixture.CreateGateway(RateLimitingFixture.SmallLimits, LargerRead);
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());

        var remaining = new List<long>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(Accounts);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            remaining.Add(State(response, "read").Remaining);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)(Limit - 1 - i)), remaining);
    }

    [Fact]
    public async Task TwoInstancesLeasingFromOneWindowNeverAllowMoreThanTheLimitTogether()
    {
        await using var first = fixture.CreateGateway(RateLimitingFixture.SmallLimits, LargerRead);
        await using var second = fixture.CreateGateway(RateLimitingFixture.SmallLimits, LargerRead);
        var subject = TestTokenIssuer.NewSubject();
        var token = fixture.Tokens.Trader(subject);
        using var viaFirst = RateLimitingFixture.Client(first, RateLimitingFixture.NewAddress(), token);
        using var viaSecond = RateLimitingFixture.Client(second, RateLimitingFixture.NewAddress(), token);

        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 16; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? viaFirst : viaSecond).GetAsync(Accounts)));
            statuses.AddRange(responses.Select(r => r.StatusCode));
            Array.ForEach(responses, r => r.Dispose());
        }

        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        var counted = (long)await cache.GetDatabase().StringGetAsync($"ratelimit:read:user:{subject}");
        var allowed = statuses.Count(s => s == HttpStatusCode.OK);

        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.InRange(counted, allowed, Limit);
        // Permits one instance leased and did not use before the budget ran out: at most a lease less one, each.
        Assert.InRange(allowed, Limit - (2 * 4), Limit);
    }
}
