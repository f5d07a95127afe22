using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class LoginHardeningTests(IdentityFixture fixture, ITestOutputHelper output)
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
    public async Task UnknownEmailAndWrongPasswordDoTheSameWork()
    {
        // Production-strength hashing here (the suite's other tests use a cheaper one): it is what is measured.
        await using var service = fixture.WithSettings(new Dictionary<string, string?>(), hashIterations: null);
        using var api = new IdentityClient(service.CreateClient());
        var (_, email, _) = await api.NewUserAsync();
        const int rounds = 8;
        var unknown = new List<double>();
        var wrong = new List<double>();

        // Interleaved, after a warm-up, so drift on a shared machine hits both series alike.
        await api.StatusAsync(api.LoginAsync(IdentityClient.NewEmail(), IdentityClient.NewPassword()));
        for (var round = 0; round < rounds; round++)
        {
            unknown.Add(await TimeAsync(api.LoginAsync(IdentityClient.NewEmail(), IdentityClient.NewPassword())));
            wrong.Add(await TimeAsync(api.LoginAsync(email, IdentityClient.NewPassword())));
            // Stay under the lockout threshold: the locked path is timed in its own right elsewhere.
            if (round % 3 == 2)
            {
                await fixture.ResetLockoutAsync(email);
            }
        }

        output.WriteLine($"unknown email:  median {Median(unknown):F1} ms, mean {unknown.Average():F1} ms, min {unknown.Min():F1}, max {unknown.Max():F1} (n={rounds})");
        output.WriteLine($"wrong password: median {Median(wrong):F1} ms, mean {wrong.Average():F1} ms, min {wrong.Min():F1}, max {wrong.Max():F1} (n={rounds})");

        async Task<double> TimeAsync(Task<HttpResponseMessage> call)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await call;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(WrongPasswordDetail, (await IdentityClient.JsonAsync(response)).GetProperty("detail").GetString());
            return elapsed;
        }
    }

    private const string WrongPasswordDetail = "The email or password is incorrect.";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
