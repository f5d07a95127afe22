using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Identity.Api.Tests;

/// <summary>
/// The token service's rules when requests arrive at the same moment, at two instances of the
/// service on one database and one cache (as two replicas would be): every failure counts, a
/// refresh token is accepted at most once, nothing the races leave behind still works.
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class RaceTests(IdentityFixture fixture) : IAsyncLifetime
{
    private IdentityFactory _second = null!;

    public Task InitializeAsync()
    {
        _second = fixture.WithSettings(new Dictionary<string, string?>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _second.DisposeAsync();

    [Fact]
    public async Task TwentyWrongPasswordsSentAtOnceAllCountAllAreRecordedAndLockTheAccount()
    {
        using var api = fixture.Api();
        var (tokens, email, password) = await api.NewUserAsync();
        var userId = Subject(tokens.AccessToken);
        using var first = fixture.CreateClient();
        using var second = _second.CreateClient();

        var statuses = await Together.SendAsync(20, index =>
            (index % 2 == 0 ? first : second).PostAsJsonAsync(new Uri("/api/v1/auth/login", UriKind.Relative), new { email, password = IdentityClient.NewPassword() }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(20, await fixture.Database.CountAsync("""SELECT COUNT(*) FROM "SecurityEvents" WHERE "Type" = 'login_failed' AND "UserId" = @user""", ("@user", userId)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, password)));
        Assert.True(await fixture.Database.CountAsync("""SELECT COUNT(*) FROM "SecurityEvents" WHERE "Type" = 'locked_out' AND "UserId" = @user""", ("@user", userId)) >= 1);
    }

    [Fact]
    public async Task ARefreshTokenPresentedFourTimesAtOnceIsAcceptedAtMostOnceAndTheRestEndTheSession()
    {
        using var api = fixture.Api();
        var (tokens, _, _) = await api.NewUserAsync();
        using var first = new IdentityClient(fixture.CreateClient());
        using var second = new IdentityClient(_second.CreateClient());

        var responses = await Together.RunAsync(4, index => (index % 2 == 0 ? first : second).RefreshAsync(tokens.RefreshToken!));

        var winners = new List<TokenResponse>();
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"got {(int)response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                winners.Add((await response.Content.ReadFromJsonAsync<TokenResponse>())!);
            }

            response.Dispose();
        }

        Assert.True(winners.Count <= 1, $"{winners.Count} presentations of one refresh token were accepted");
        // The others were reuse: the whole session is over, including whatever the winner got.
        foreach (var winner in winners)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", winner.AccessToken)));
            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(winner.RefreshToken!)));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Single(await CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, "revoked:sid:" + SessionTests.Sid(tokens.AccessToken)));
    }

    [Fact]
    public async Task ARefreshRacingTheSessionsLogoutLeavesNoLiveToken()
    {
        using var api = fixture.Api();
        using var other = new IdentityClient(_second.CreateClient());
        for (var round = 0; round < 4; round++)
        {
            var (tokens, _, _) = await api.NewUserAsync();

            var responses = await Together.RunAsync(2, index => index == 0
                ? api.PostAsync("/api/v1/auth/logout", tokens.AccessToken)
                : other.RefreshAsync(tokens.RefreshToken!));

            Assert.Equal(HttpStatusCode.NoContent, responses[0].StatusCode);
            Assert.True(responses[1].StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"refresh got {(int)responses[1].StatusCode}");
            if (responses[1].StatusCode == HttpStatusCode.OK)
            {
                var refreshed = (await responses[1].Content.ReadFromJsonAsync<TokenResponse>())!;
                Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", refreshed.AccessToken)));
                Assert.Equal(HttpStatusCode.Unauthorized, await other.StatusAsync(other.GetAsync("/api/v1/auth/me", refreshed.AccessToken)));
                Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(refreshed.RefreshToken!)));
            }

            Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task AnAdminLockRacingFailedLoginsIsNeverA5xxAndEndsTheUsersSessions()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);
        var (tokens, email, password) = await api.NewUserAsync();
        var userId = Subject(tokens.AccessToken);
        using var other = new IdentityClient(_second.CreateClient());

        var responses = await Together.RunAsync(9, index => index == 0
            ? api.PostAsync($"/api/v1/admin/users/{userId}/lock", admin.AccessToken)
            : (index % 2 == 0 ? api : other).LoginAsync(email, IdentityClient.NewPassword()));

        Assert.Equal(HttpStatusCode.NoContent, responses[0].StatusCode);
        Assert.All(responses.Skip(1), response => Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(tokens.RefreshToken!)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, password)));
        Assert.Equal(0, await fixture.Database.CountAsync("""SELECT COUNT(*) FROM "AspNetUsers" WHERE "Id" = @user AND "IsActive" """, ("@user", userId)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static string Subject(string accessToken) => new JwtSecurityTokenHandler().ReadJwtToken(accessToken).Subject;
}
