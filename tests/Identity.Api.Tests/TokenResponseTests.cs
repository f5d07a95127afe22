using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class TokenResponseTests(IdentityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task LoginReturnsExactlyTheContractTokenResponseWithNoStore()
    {
        using var api = fixture.Api();

        using var response = await api.LoginAsync("trader@example.com", fixture.DemoPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await IdentityClient.JsonAsync(response);
        Assert.Equal(["access_token", "expires_in", "refresh_token", "scope", "token_type"],
            body.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.InRange(body.GetProperty("expires_in").GetInt32(), 290, 300);
    }

    [Fact]
    public async Task AccessTokenIsAnEs256AtJwtWithIdsRolesAndSessionButNoEmail()
    {
        using var api = fixture.Api();
        var tokens = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);

        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken);
        output.WriteLine("header: " + jwt.Header.SerializeToJson());
        output.WriteLine("payload: " + jwt.Payload.SerializeToJson());

        Assert.Equal("ES256", jwt.Header.Alg);
        Assert.Equal("at+jwt", jwt.Header.Typ);
        Assert.False(string.IsNullOrEmpty(jwt.Header.Kid));
        Assert.Equal(IdentityFixture.Issuer, jwt.Issuer);
        Assert.Equal(["identity", "trading"], jwt.Audiences.Order(StringComparer.Ordinal));
        foreach (var claim in new[] { "sub", "exp", "iat", "jti", "client_id", "scope", "sid" })
        {
            Assert.True(jwt.Payload.ContainsKey(claim), $"claim {claim} is missing");
        }

        Assert.Equal("gateway-web", jwt.Payload["client_id"]);
        Assert.Contains("admin", jwt.Claims.Where(claim => claim.Type == "role").Select(claim => claim.Value));
        Assert.DoesNotContain("admin@example.com", jwt.Payload.SerializeToJson(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(jwt.Claims, claim => claim.Type is "email" or "name" or "preferred_username");
    }

    [Fact]
    public async Task TheAccessTokenLifetimeComesFromConfiguration()
    {
        await using var service = fixture.WithSettings(new Dictionary<string, string?> { ["Identity:AccessTokenLifetime"] = "00:02:00" });
        using var api = new IdentityClient(service.CreateClient());

        var tokens = await api.LoginOkAsync("trader@example.com", fixture.DemoPassword);

        Assert.InRange(tokens.ExpiresIn, 110, 120);
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken);
        Assert.Equal(TimeSpan.FromMinutes(2), jwt.ValidTo - jwt.IssuedAt);
    }

    [Fact]
    public async Task HealthIncludesTheDatabaseAndTheSharedCache()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await AspireGateway.Tests.CacheAssertions.KeysAsync(fixture.Cache.ConnectionString, $"health:Identity.Api:*:{Environment.ProcessId}"));
    }

    [Fact]
    public async Task MeWithoutATokenIsA401BearerChallengeWithAProblemBody()
    {
        using var api = fixture.Api();

        using var response = await api.GetAsync("/api/v1/auth/me", accessToken: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MeReturnsTheAccountFromTheStore()
    {
        using var api = fixture.Api();
        var tokens = await api.LoginOkAsync("auditor@example.com", fixture.DemoPassword);

        using var response = await api.GetAsync("/api/v1/auth/me", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await IdentityClient.JsonAsync(response);
        Assert.Equal("auditor", me.GetProperty("username").GetString());
        Assert.Equal("auditor@example.com", me.GetProperty("email").GetString());
        Assert.Equal(["auditor"], me.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.False(string.IsNullOrEmpty(me.GetProperty("user_id").GetString()));
    }
}
