using System.IdentityModel.Tokens.Jwt;
using System.Net;
using AspireGateway.Tests;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class AdminUsersTests(IdentityFixture fixture)
{
    [Fact]
    public async Task AdminListsUsersWithRolesActivityAndLockout()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);

        using var response = await api.GetAsync("/api/v1/admin/users", admin.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await IdentityClient.JsonAsync(response);
        var users = body.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(users.Count, body.GetProperty("total").GetInt32());
        var trader = users.Single(user => user.GetProperty("username").GetString() == "trader");
        Assert.Equal("trader@example.com", trader.GetProperty("email").GetString());
        Assert.Equal(["trader"], trader.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.True(trader.GetProperty("is_active").GetBoolean());
        Assert.True(trader.TryGetProperty("locked_until", out _));
        Assert.True(trader.TryGetProperty("user_id", out _));
    }

    [Theory]
    [InlineData("trader@example.com")]
    [InlineData("auditor@example.com")]
    public async Task NonAdminsGet403OnTheAdminRoutes(string email)
    {
        using var api = fixture.Api();
        var tokens = await api.LoginOkAsync(email, fixture.DemoPassword);

        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(api.GetAsync("/api/v1/admin/users", tokens.AccessToken)));
        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(api.PostAsync($"/api/v1/admin/users/{Guid.NewGuid()}/lock", tokens.AccessToken)));
    }

    [Fact]
    public async Task LockingAUserEndsItsSessionsAndRefusesLoginUntilUnlocked()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);
        var (user, email, password) = await api.NewUserAsync();
        var userId = new JwtSecurityTokenHandler().ReadJwtToken(user.AccessToken).Subject;

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync($"/api/v1/admin/users/{userId}/lock", admin.AccessToken)));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", user.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(user.RefreshToken!)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync(email, password)));
        Assert.Single(await CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, "revoked:sid:" + SessionTests.Sid(user.AccessToken)));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync($"/api/v1/admin/users/{userId}/unlock", admin.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.LoginAsync(email, password)));
    }

    [Fact]
    public async Task RevokeSessionsEndsEverySessionOfTheUserButNotTheAccount()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);
        var (first, email, password) = await api.NewUserAsync();
        var second = await api.LoginOkAsync(email, password);
        var userId = new JwtSecurityTokenHandler().ReadJwtToken(first.AccessToken).Subject;

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync($"/api/v1/admin/users/{userId}/revoke-sessions", admin.AccessToken)));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", first.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", second.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.RefreshAsync(second.RefreshToken!)));
        Assert.Single(await CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, "revoked:sid:" + SessionTests.Sid(second.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.LoginAsync(email, password)));
    }

    [Fact]
    public async Task LockingAnUnknownUserIsA404Problem()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);

        using var response = await api.PostAsync($"/api/v1/admin/users/{Guid.NewGuid()}/lock", admin.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheProfileMasksTheEmail()
    {
        using var api = fixture.Api();
        var (tokens, email, _) = await api.NewUserAsync();

        using var response = await api.GetAsync("/api/v1/users/profile", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = await IdentityClient.JsonAsync(response);
        Assert.Equal($"{email[0]}***@example.com", profile.GetProperty("email").GetString());
        Assert.DoesNotContain(email, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
