using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using StackExchange.Redis;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class SessionTests(IdentityFixture fixture)
{
    [Fact]
    public async Task RefreshRotatesTheTokenAndTheOldOneIsRejected()
    {
        using var api = fixture.Api();
        var (first, _, _) = await api.NewUserAsync();

        using var refreshed = await api.RefreshAsync(first.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>())!;

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", second.AccessToken)));
        Assert.Equal(Sid(first.AccessToken), Sid(second.AccessToken));
        using var reused = await api.RefreshAsync(first.RefreshToken!);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ReusingARefreshTokenRevokesTheWholeSessionAndPublishesItsSid()
    {
        using var api = fixture.Api();
        var (first, _, _) = await api.NewUserAsync();
        var sid = Sid(first.AccessToken);
        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        var published = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await cache.GetSubscriber().SubscribeAsync(RedisChannel.Literal("revocations"), (_, message) =>
        {
            if (message == sid)
            {
                published.TrySetResult(message!);
            }
        });
        using var refreshed = await api.RefreshAsync(first.RefreshToken!);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>())!;

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(first.RefreshToken!)));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(second.RefreshToken!)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", second.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", first.AccessToken)));
        Assert.Equal(sid, await published.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var key = await cache.GetDatabase().StringGetWithExpiryAsync("revoked:sid:" + sid);
        Assert.Equal("1", key.Value);
        Assert.InRange(key.Expiry!.Value, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
    }

    [Fact]
    public async Task LogoutEndsTheSessionForItsAccessAndRefreshTokens()
    {
        using var api = fixture.Api();
        var (tokens, _, _) = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", tokens.AccessToken)));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(tokens.RefreshToken!)));
        var keys = await AspireGateway.Tests.CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, "revoked:sid:" + Sid(tokens.AccessToken));
        Assert.Single(keys);
    }

    [Fact]
    public async Task LogoutLeavesTheUsersOtherSessionsAlive()
    {
        using var api = fixture.Api();
        var (first, email, password) = await api.NewUserAsync();
        var second = await api.LoginOkAsync(email, password);

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", first.AccessToken)));

        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", second.AccessToken)));
    }

    [Fact]
    public async Task RevokingTheRefreshTokenAtTheRevocationEndpointEndsTheSession()
    {
        using var api = fixture.Api();
        var (tokens, _, _) = await api.NewUserAsync();

        using var revoke = await api.Http.PostAsync(new Uri("/connect/revoke", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.RefreshToken!,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = "gateway-web",
        }));

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Single(await AspireGateway.Tests.CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, "revoked:sid:" + Sid(tokens.AccessToken)));
    }

    [Fact]
    public async Task TokensStayValidAfterARestartOnTheSameDatabase()
    {
        await using var restartable = fixture.WithSettings(new Dictionary<string, string?>());
        using var before = new IdentityClient(restartable.CreateClient());
        var (tokens, _, _) = await before.NewUserAsync();
        await restartable.DisposeAsync();

        await using var restarted = fixture.WithSettings(new Dictionary<string, string?>());
        using var after = new IdentityClient(restarted.CreateClient());

        Assert.Equal(HttpStatusCode.OK, await after.StatusAsync(after.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, await after.StatusAsync(after.RefreshAsync(tokens.RefreshToken!)));
    }

    [Fact]
    public async Task ADeactivatedAccountCannotRefreshEvenWithALiveSession()
    {
        using var api = fixture.Api();
        var (tokens, email, _) = await api.NewUserAsync();
        await fixture.Database.ExecuteAsync("""UPDATE "AspNetUsers" SET "IsActive" = FALSE WHERE "NormalizedEmail" = @email""", ("@email", email.ToUpperInvariant()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(tokens.RefreshToken!)));
    }

    internal static string Sid(string accessToken) =>
        new JwtSecurityTokenHandler().ReadJwtToken(accessToken).Claims.Single(claim => claim.Type == "sid").Value;
}
