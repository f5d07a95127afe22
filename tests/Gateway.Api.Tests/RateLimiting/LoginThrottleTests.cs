using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.RateLimiting;

/// <summary>
/// The failed-login throttle: one client address cannot cause the identity service's lockout
/// (five failures) for any account, whichever replica its attempts reach, while the per-address
/// credentials budget is left generous here so that only the throttle is seen.
/// </summary>
public sealed class LoginThrottleTests(RateLimitingFixture fixture) : IClassFixture<RateLimitingFixture>, IAsyncLifetime
{
    private static readonly Dictionary<string, string?> GenerousBudget = new()
    {
        ["Gateway:RateLimiting:Policies:credentials:PermitLimit"] = "1000",
        // A cache slowed down by parallel tests must not hand the decision to each replica's own count.
        ["Gateway:RateLimiting:DecisionTimeout"] = "00:00:05",
    };

    private StandInLogin _identity = null!;

    public async Task InitializeAsync() => _identity = await StandInLogin.StartAsync();

    public async Task DisposeAsync() => await _identity.DisposeAsync();

    [Fact]
    public async Task TenWrongPasswordsAtOnceFromOneAddressReachTheIdentityServiceOnlyFourTimesAcrossTwoReplicas()
    {
        await using var first = Gateway();
        await using var second = Gateway();
        var address = RateLimitingFixture.NewAddress();
        using var viaFirst = RateLimitingFixture.Client(first, address);
        using var viaSecond = RateLimitingFixture.Client(second, address);
        var email = NewEmail();
        // Each replica's first script call loads it into the cache: done before the burst, so a
        // cache slowed by parallel tests does not hand the decision to each replica's own count.
        foreach (var gateway in new[] { first, second })
        {
            using var warm = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress());
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(warm.PostAsJsonAsync(Login, new { email = NewEmail(), password = StandInLogin.RightPassword })));
        }

        var responses = await Together.RunAsync(10, index => (index % 2 == 0 ? viaFirst : viaSecond).PostAsJsonAsync(Login, new { email, password = "wrong password" }));

        var statuses = responses.Select(response => response.StatusCode).ToList();
        Assert.Equal(4, statuses.Count(status => status == HttpStatusCode.Unauthorized));
        Assert.Equal(6, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
        Assert.Equal(4, _identity.Attempts(email));
        Assert.All(responses.Where(response => response.StatusCode == HttpStatusCode.TooManyRequests),
            refused => Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType));
        Array.ForEach(responses, response => response.Dispose());

        // Four failures recorded: the account's window is closed to this address until it ends.
        using var later = await viaSecond.PostAsJsonAsync(Login, new { email, password = StandInLogin.RightPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, later.StatusCode);
        Assert.InRange(int.Parse(later.Headers.GetValues("Retry-After").Single()), 800, 900);
        Assert.Equal(4, _identity.Attempts(email));
    }

    [Fact]
    public async Task TheThrottleIsPerAccountAndPerAddress()
    {
        await using var gateway = Gateway();
        using var attacker = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress());
        using var owner = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress());
        var (target, other) = (NewEmail(), NewEmail());

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var _ = await attacker.PostAsJsonAsync(Login, new { email = target, password = "wrong password" });
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(attacker.PostAsJsonAsync(Login, new { email = target, password = StandInLogin.RightPassword })));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(attacker.PostAsJsonAsync(Login, new { email = other, password = "wrong password" })));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(owner.PostAsJsonAsync(Login, new { email = target, password = StandInLogin.RightPassword })));
    }

    [Fact]
    public async Task SuccessfulLoginsAreNeverThrottled()
    {
        await using var gateway = Gateway();
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress());
        var email = NewEmail();

        for (var login = 0; login < 8; login++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client.PostAsJsonAsync(Login, new { email, password = StandInLogin.RightPassword })));
        }
    }

    [Fact]
    public async Task PasswordGrantsAtTheTokenEndpointCountForTheSameAccount()
    {
        await using var gateway = Gateway();
        using var client = RateLimitingFixture.Client(gateway, RateLimitingFixture.NewAddress());
        var email = NewEmail();

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            statuses.Add(await StatusAsync(client.PostAsync(new Uri("/connect/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = email,
                ["password"] = "wrong password",
                ["client_id"] = "gateway-web",
            }))));
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests], statuses);
    }

    private static readonly Uri Login = new("/api/v1/auth/login", UriKind.Relative);

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    private static async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        return response.StatusCode;
    }

    private ServiceFactory<Program> Gateway() => fixture.CreateGateway(RateLimitingFixture.SmallLimits, GenerousBudget, new Dictionary<string, string?>
    {
        ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = _identity.Address,
    });

    /// <summary>A login route that knows one password and counts the attempts per email it was sent.</summary>
    private sealed class StandInLogin : IAsyncDisposable
    {
        public const string RightPassword = "the right password";

        private readonly ConcurrentDictionary<string, int> _attempts = new();
        private WebApplication _app = null!;

        public string Address { get; private set; } = string.Empty;

        public int Attempts(string email) => _attempts.GetValueOrDefault(email);

        public static async Task<StandInLogin> StartAsync()
        {
            var login = new StandInLogin { Address = $"http://127.0.0.1:{Ports.FreeLoopback()}" };
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(login.Address);
            builder.Logging.ClearProviders();
            login._app = builder.Build();
            login._app.MapGet("/health", () => Results.Ok());
            // The gateway probes /alive of every destination; two misses in a row (5 s apart) would
            // take this one out of rotation halfway through a slow test, answering 503.
            login._app.MapGet("/alive", () => Results.Ok());
            login._app.MapPost("/api/v1/auth/login", (Credentials body) => login.Answer(body.Email, body.Password));
            login._app.MapPost("/connect/token", (HttpRequest request) => login.Answer(request.Form["username"].ToString(), request.Form["password"].ToString()));
            await login._app.StartAsync();
            return login;
        }

        private IResult Answer(string email, string password)
        {
            _attempts.AddOrUpdate(email, 1, (_, count) => count + 1);
            return password == RightPassword ? Results.Ok(new { access_token = "opaque" }) : Results.Problem(statusCode: 401);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();

        private sealed record Credentials(string Email, string Password);
    }
}
