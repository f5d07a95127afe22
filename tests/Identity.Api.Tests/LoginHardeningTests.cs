using System.Net;
using System.Net.Http.Json;
using System.Text;
using Identity.Api.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class LoginHardeningTests(IdentityFixture fixture)
{
    [Fact]
    public async Task UnknownEmailAndWrongPasswordGetTheSameGeneric401Problem()
    {
        using var api = fixture.Api();
        var (_, email, _) = await api.NewUserAsync();

        using var unknown = await api.LoginAsync(IdentityClient.NewEmail(), IdentityClient.NewPassword());
        using var wrong = await api.LoginAsync(email, IdentityClient.NewPassword());

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var (first, second) = (await IdentityClient.JsonAsync(unknown), await IdentityClient.JsonAsync(wrong));
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
        Assert.Equal(first.GetProperty("title").GetString(), second.GetProperty("title").GetString());
        Assert.True(first.TryGetProperty("traceId", out _));
        Assert.Equal(401, first.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task FiveFailuresLockTheAccountAndTheRightPasswordThenGetsTheSame401()
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();

        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, IdentityClient.NewPassword())));
        }

        using var locked = await api.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(WrongPasswordDetail, (await IdentityClient.JsonAsync(locked)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ALockoutFromFailedLoginsBlocksNewLoginsButTheOwnersSessionKeepsRefreshing()
    {
        using var api = fixture.Api();
        var (session, email, password) = await api.NewUserAsync();

        // A stranger who knows only the email.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, IdentityClient.NewPassword())));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, password)));
        using var refreshed = await api.RefreshAsync(session.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var tokens = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
    }

    [Fact]
    public async Task FewerThanFiveFailuresDoNotLockTheAccount()
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();

        for (var attempt = 0; attempt < 4; attempt++)
        {
            await api.StatusAsync(api.LoginAsync(email, IdentityClient.NewPassword()));
        }

        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.LoginAsync(email, password)));
    }

    [Theory]
    [InlineData("/api/v1/auth/login")]
    [InlineData("/api/v1/auth/register")]
    public async Task ATenKilobytePasswordIsA400NotA5xx(string path)
    {
        using var api = fixture.Api();

        using var response = await api.PostJsonAsync(path, new { username = "longpass", email = IdentityClient.NewEmail(), password = new string('x', 10 * 1024) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await IdentityClient.JsonAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task ARegistrationPasswordShorterThanEightCharactersIsA400()
    {
        using var api = fixture.Api();

        Assert.Equal(HttpStatusCode.BadRequest, await api.StatusAsync(api.RegisterAsync(IdentityClient.NewEmail(), "short")));
    }

    [Fact]
    public async Task TheJsonRoutesBehaveTheSameWithATrailingSlash()
    {
        using var api = fixture.Api();
        var (email, password) = (IdentityClient.NewEmail(), IdentityClient.NewPassword());

        using var registered = await api.PostJsonAsync("/api/v1/auth/register/", new { username = "u" + Guid.NewGuid().ToString("N")[..12], email, password });
        using var wrong = await api.PostJsonAsync("/api/v1/auth/login/", new { email, password = IdentityClient.NewPassword() });
        using var form = await api.Http.PostAsync(new Uri("/api/v1/auth/login/", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = email, ["password"] = password, ["client_id"] = "gateway-web" }));
        using var login = await api.PostJsonAsync("/api/v1/auth/login/", new { email, password });
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        using var refreshed = await api.PostJsonAsync("/api/v1/auth/refresh/", new { refresh_token = tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task MalformedJsonIsA400Problem()
    {
        using var api = fixture.Api();

        using var response = await api.Http.PostAsync(new Uri("/api/v1/auth/login", UriKind.Relative),
            new StringContent("{\"email\": \"a@b.c\", \"password\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AFormBodyOnAJsonRouteIsA415Problem()
    {
        using var api = fixture.Api();

        using var response = await api.Http.PostAsync(new Uri("/api/v1/auth/login", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "a@b.c", ["password"] = "whatever1" }));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RegisteringAnEmailThatDiffersOnlyInCaseIsA409()
    {
        using var api = fixture.Api();
        var (_, email, _) = await api.NewUserAsync();

        using var response = await api.RegisterAsync(email.ToUpperInvariant(), IdentityClient.NewPassword());

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RoleAndIsAdminInTheRegistrationBodyAreIgnored()
    {
        using var api = fixture.Api();

        using var response = await api.PostJsonAsync("/api/v1/auth/register", new
        {
            username = "sneaky" + Guid.NewGuid().ToString("N")[..8],
            email = IdentityClient.NewEmail(),
            password = IdentityClient.NewPassword(),
            role = "admin",
            roles = new[] { "admin" },
            is_admin = true,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        using var me = await api.GetAsync("/api/v1/auth/me", tokens.AccessToken);
        Assert.Equal(["trader"], (await IdentityClient.JsonAsync(me)).GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(api.GetAsync("/api/v1/admin/users", tokens.AccessToken)));
    }

    [Fact]
    public async Task UnknownEmailWrongPasswordAndLockedAccountEachVerifyOneHashAndRecordOneEvent()
    {
        // Response time is not measured here (a wall clock on a shared machine proves nothing):
        // the work that takes the time is, on each path.
        var verifications = 0;
        await using var service = fixture.WithSettings(new Dictionary<string, string?>(), services: services =>
            services.AddScoped<IPasswordHasher<User>>(provider => new CountingHasher(
                new PasswordHasher<User>(provider.GetRequiredService<IOptions<PasswordHasherOptions>>()), () => Interlocked.Increment(ref verifications))));
        using var api = new IdentityClient(service.CreateClient());
        var (_, email, _) = await api.NewUserAsync();
        var (_, locked, _) = await api.NewUserAsync();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await api.StatusAsync(api.LoginAsync(locked, IdentityClient.NewPassword()));
        }

        var work = new Dictionary<string, (int Hashes, long Events)>();
        foreach (var (path, login) in new[] { ("unknown email", IdentityClient.NewEmail()), ("wrong password", email), ("locked account", locked) })
        {
            var (hashesBefore, eventsBefore) = (Volatile.Read(ref verifications), await FailedLoginEventsAsync());
            using var response = await api.LoginAsync(login, IdentityClient.NewPassword());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(WrongPasswordDetail, (await IdentityClient.JsonAsync(response)).GetProperty("detail").GetString());
            work[path] = (Volatile.Read(ref verifications) - hashesBefore, await FailedLoginEventsAsync() - eventsBefore);
        }

        Assert.All(work.Values, done => Assert.Equal((1, 1L), done));
    }

    private Task<long> FailedLoginEventsAsync() =>
        fixture.Database.CountAsync("""SELECT COUNT(*) FROM "SecurityEvents" WHERE "Type" = 'login_failed'""");

    /// <summary>The service's password hasher, counting verifications.</summary>
    private sealed class CountingHasher(IPasswordHasher<User> inner, Action verified) : IPasswordHasher<User>
    {
        public string HashPassword(User user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            verified();
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private const string WrongPasswordDetail = "The email or password is incorrect.";
}
