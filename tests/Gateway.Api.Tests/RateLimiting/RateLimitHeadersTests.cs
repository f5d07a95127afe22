using System.Net;
using System.Net.Http.Headers;
using AspireGateway.Tests;
using static Gateway.Api.Tests.RateLimiting.RateLimitAssertions;

namespace Gateway.Api.Tests.RateLimiting;

public sealed class RateLimitHeadersTests(RateLimitingFixture fixture) : IClassFixture<RateLimitingFixture>
{
    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

    [Fact]
    public async Task AllowedResponsesCarryThePolicyAndTheRemainingBudget()
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());

        using var first = await client.GetAsync(Accounts);
        using var second = await client.GetAsync(Accounts);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"read\";q=5;w=60", Header(first, "RateLimit-Policy"));
        var (remaining, reset) = State(first, "read");
        Assert.Equal(4, remaining);
        Assert.InRange(reset, 1, 60);
        Assert.Equal(3, State(second, "read").Remaining);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/no/such/path")]
    public async Task GatewayOwnAnswersUseTheDefaultPolicy(string path)
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress());

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal("\"default\";q=3;w=60", Header(response, "RateLimit-Policy"));
        Assert.Equal(2, State(response, "default").Remaining);
    }

    [Fact]
    public async Task AnUpstreamFailureAnsweredByTheGatewayStillCarriesTheHeaders()
    {
        await using var gateway = fixture.CreateGateway(RateLimitingFixture.SmallLimits, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = $"http://127.0.0.1:{Ports.FreeLoopback()}",
        });
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());

        using var response = await client.GetAsync(Accounts);

        Assert.True((int)response.StatusCode >= 500, $"Expected the gateway's upstream error, got {(int)response.StatusCode}");
        Assert.Equal("\"read\";q=5;w=60", Header(response, "RateLimit-Policy"));
        Assert.Equal(4, State(response, "read").Remaining);
    }

    [Fact]
    public async Task LivenessIsNeverLimited()
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress());

        for (var i = 0; i < RateLimitingFixture.DefaultLimit * 3; i++)
        {
            using var response = await client.GetAsync(new Uri("/alive", UriKind.Relative));
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.False(response.Headers.Contains("RateLimit"));
        }
    }

    [Fact]
    public async Task ReadinessIsLimitedPerAnonymousCallerUnderItsOwnPolicy()
    {
        using var flooder = fixture.Client(RateLimitingFixture.NewAddress());
        using var prober = fixture.Client(RateLimitingFixture.NewAddress());

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitingFixture.HealthLimit; i++)
        {
            using var response = await flooder.GetAsync(new Uri("/health", UriKind.Relative));
            answers.Add(response.StatusCode);
        }

        using var spent = await flooder.GetAsync(new Uri("/health", UriKind.Relative));
        using var other = await prober.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, spent.StatusCode);
        Assert.Equal(429, (await ProblemAsync(spent)).Status);
        Assert.NotNull(spent.Headers.RetryAfter);
        Assert.Equal($"\"health\";q={RateLimitingFixture.HealthLimit};w=60", Header(spent, "RateLimit-Policy"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    [Fact]
    public async Task ExceededLimitIsA429ProblemWithRetryAfterAndTheSecurityHeaders()
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress(), fixture.Tokens.Trader());
        client.DefaultRequestHeaders.Add("X-Request-Id", "rate-limit-test-1");

        var (allowed, rejected) = await SpendAsync(() => client.GetAsync(Accounts));
        using var _ = rejected;

        Assert.Equal(RateLimitingFixture.ReadLimit, allowed);
        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal("\"read\";q=5;w=60", Header(rejected, "RateLimit-Policy"));
        var (remaining, reset) = State(rejected, "read");
        Assert.Equal(0, remaining);
        Assert.Equal((long)retryAfter.Value.TotalSeconds, reset);

        var problem = await ProblemAsync(rejected);
        Assert.Equal(429, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Type));
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.Contains("'read'", problem.Detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.TraceId));

        Assert.Equal("nosniff", Header(rejected, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(rejected, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(rejected, "Referrer-Policy"));
        Assert.Contains("default-src 'none'", Header(rejected, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("no-store", Header(rejected, "Cache-Control"));
        Assert.Equal("rate-limit-test-1", Header(rejected, "X-Request-Id"));
        Assert.False(rejected.Headers.Contains("Server"));
    }

    [Fact]
    public async Task A429IsAProblemDocumentEvenForAClientThatAcceptsNoJson()
    {
        using var client = fixture.Client(RateLimitingFixture.NewAddress());
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        var (_, rejected) = await SpendAsync(() => client.GetAsync(new Uri("/", UriKind.Relative)));
        using var _ = rejected;

        var problem = await ProblemAsync(rejected);
        Assert.Equal(429, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Detail));
    }

    [Fact]
    public async Task UsersHaveTheirOwnBudgetFromWhicheverAddressTheyCall()
    {
        var alice = fixture.Tokens.Trader();
        var (here, there) = (RateLimitingFixture.NewAddress(), RateLimitingFixture.NewAddress());
        using var aliceHere = fixture.Client(here, alice);
        using var aliceThere = fixture.Client(there, alice);
        using var bobHere = fixture.Client(here, fixture.Tokens.Trader());

        var (allowed, rejected) = await SpendAsync(() => aliceHere.GetAsync(Accounts));
        rejected.Dispose();
        using var aliceElsewhere = await aliceThere.GetAsync(Accounts);
        using var bob = await bobHere.GetAsync(Accounts);

        Assert.Equal(RateLimitingFixture.ReadLimit, allowed);
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceElsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        Assert.Equal(RateLimitingFixture.ReadLimit - 1, State(bob, "read").Remaining);
    }

    [Fact]
    public async Task AnonymousClientsAreKeyedByAddressWhichAForgedForwardedForCannotChange()
    {
        using var first = fixture.Client(RateLimitingFixture.NewAddress());
        using var second = fixture.Client(RateLimitingFixture.NewAddress());

        var (allowed, rejected) = await SpendAsync(() => first.GetAsync(new Uri("/", UriKind.Relative)));
        rejected.Dispose();
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/");
        forged.Headers.Add("X-Forwarded-For", "192.0.2.77");
        using var forgedResponse = await first.SendAsync(forged);
        using var other = await second.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(RateLimitingFixture.DefaultLimit, allowed);
        Assert.Equal(HttpStatusCode.TooManyRequests, forgedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task AnIpv6ClientHasOneBudgetForItsWholeSlash64()
    {
        var (site, subnet) = ($"2001:db8:{Random.Shared.Next(0x10000):x}", Random.Shared.Next(0xffff));
        using var one = fixture.Client(IPAddress.Parse($"{site}:{subnet:x}::1"));
        using var rotated = fixture.Client(IPAddress.Parse($"{site}:{subnet:x}:1:2:3:beef"));
        using var neighbour = fixture.Client(IPAddress.Parse($"{site}:{subnet + 1:x}::1"));

        var (_, rejected) = await SpendAsync(() => one.GetAsync(new Uri("/", UriKind.Relative)));
        rejected.Dispose();
        using var fromRotated = await rotated.GetAsync(new Uri("/", UriKind.Relative));
        using var fromNeighbour = await neighbour.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TooManyRequests, fromRotated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromNeighbour.StatusCode);
    }

    [Fact]
    public async Task CountersLiveInTheSharedCacheOneKeyPerPolicyAndUserExpiringWithTheWindow()
    {
        var subject = TestTokenIssuer.NewSubject();
        using var client = fixture.Client(RateLimitingFixture.NewAddress(), fixture.Tokens.Trader(subject));

        using var response = await client.GetAsync(Accounts);

        var keys = await CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, $"ratelimit:*{subject}");
        Assert.Equal([$"ratelimit:read:user:{subject}"], keys);
        await using var cache = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        var ttl = await cache.GetDatabase().KeyTimeToLiveAsync(keys[0]);
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 60);
    }
}
