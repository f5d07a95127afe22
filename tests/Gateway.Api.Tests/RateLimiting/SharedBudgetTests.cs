using System.Net;
using System.Text;
using AspireGateway.Tests;
using Microsoft.Extensions.Options;
using static Gateway.Api.Tests.RateLimiting.RateLimitAssertions;

namespace Gateway.Api.Tests.RateLimiting;

public sealed class SharedBudgetTests(RateLimitingFixture fixture) : IClassFixture<RateLimitingFixture>
{
    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

    [Fact]
    public async Task TwoGatewayInstancesOnOneCacheShareOneBudget()
    {
        await using var other = fixture.CreateGateway(RateLimitingFixture.SmallLimits);
        var token = fixture.Tokens.Trader();
        using var viaFirst = fixture.Client(RateLimitingFixture.NewAddress(), token);
        using var viaSecond = RateLimitingFixture.Client(other, RateLimitingFixture.NewAddress(), token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? viaFirst : viaSecond).GetAsync(Accounts)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        var seen = string.Join(", ", statuses.Select(s => (int)s));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == RateLimitingFixture.ReadLimit, $"Expected {RateLimitingFixture.ReadLimit} x 200, got: {seen}");
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) == 16 - RateLimitingFixture.ReadLimit, $"Expected {16 - RateLimitingFixture.ReadLimit} x 429, got: {seen}");
        Assert.All(responses, r => Assert.Equal("\"read\";q=5;w=60", Header(r, "RateLimit-Policy")));
        Array.ForEach(responses, r => r.Dispose());
    }

    [Fact]
    public async Task CredentialRoutesAreFarStricterThanReadsByDefault()
    {
        await using var gateway = fixture.CreateGateway();
        var address = RateLimitingFixture.NewAddress();
        using var anonymous = RateLimitingFixture.Client(gateway, address);
        using var trader = RateLimitingFixture.Client(gateway, address, fixture.Tokens.Trader());

        var (logins, rejected) = await SpendAsync(() => anonymous.PostAsync(
            new Uri("/api/v1/auth/login", UriKind.Relative),
            new StringContent("""{"email":"a@example.com","password":"secret-secret"}""", Encoding.UTF8, "application/json")));
        using var _ = rejected;
        using var read = await trader.GetAsync(Accounts);

        Assert.Equal(10, logins);
        Assert.Equal("\"credentials\";q=10;w=60", Header(rejected, "RateLimit-Policy"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"read\";q=300;w=60", Header(read, "RateLimit-Policy"));
    }

    [Fact]
    public async Task ASpentBudgetComesBackWhenTheWindowResets()
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());
        var profile = new Uri("/api/v1/users/profile", UriKind.Relative);

        var (_, rejected) = await SpendAsync(() => client.GetAsync(profile));
        var retryAfter = rejected.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
        rejected.Dispose();
        Assert.InRange(retryAfter.TotalSeconds, 1, 2);
        await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(100));
        using var again = await client.GetAsync(profile);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("\"burst\";q=2;w=2", Header(again, "RateLimit-Policy"));
        Assert.Equal(1, State(again, "burst").Remaining);
    }

    [Fact]
    public async Task AChangedLimitAppliesWithoutARestart()
    {
        var live = new LiveSettings();
        await using var gateway = new LiveSettingsGateway(fixture.Cache, fixture.Settings(RateLimitingFixture.SmallLimits), live);
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());

        var (allowed, rejected) = await SpendAsync(() => client.GetAsync(Accounts));
        rejected.Dispose();
        live.Set("Gateway:RateLimiting:Policies:read:PermitLimit", "7");
        using var afterChange = await client.GetAsync(Accounts);

        Assert.Equal(RateLimitingFixture.ReadLimit, allowed);
        Assert.Equal(HttpStatusCode.OK, afterChange.StatusCode);
        Assert.Equal("\"read\";q=7;w=60", Header(afterChange, "RateLimit-Policy"));
    }

    [Fact]
    public async Task AnInvalidPolicyIsRefusedAtStart()
    {
        await using var gateway = fixture.CreateGateway(new Dictionary<string, string?> { ["Gateway:RateLimiting:Policies:read:PermitLimit"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => gateway.Server);

        Assert.Contains("read", error.Message, StringComparison.Ordinal);
    }
}
