using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class OAuthEndpointTests(IdentityFixture fixture)
{
    [Fact]
    public async Task DiscoveryAndJwksAreConsumableByTheStandardOidcConfigurationRetriever()
    {
        var retriever = new HttpDocumentRetriever(fixture.CreateClient()) { RequireHttps = false };

        // Fetched from identity's own address; every URI in it must point under the issuer (the gateway).
        var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(
            "http://localhost/.well-known/openid-configuration", retriever, CancellationToken.None);

        Assert.Equal(IdentityFixture.Issuer, configuration.Issuer);
        Assert.Equal(IdentityFixture.Issuer + "connect/token", configuration.TokenEndpoint);
        Assert.Equal(IdentityFixture.Issuer + ".well-known/jwks", configuration.JwksUri);
        using var raw = await fixture.CreateClient().GetAsync(new Uri("/.well-known/openid-configuration", UriKind.Relative));
        var document = await IdentityClient.JsonAsync(raw);
        Assert.Equal(IdentityFixture.Issuer + "connect/revoke", document.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(IdentityFixture.Issuer + "connect/introspect", document.GetProperty("introspection_endpoint").GetString());
        Assert.NotEmpty(configuration.SigningKeys);
        Assert.All(configuration.JsonWebKeySet.Keys, key =>
        {
            Assert.False(string.IsNullOrEmpty(key.Kid));
            Assert.Equal("EC", key.Kty);
            Assert.True(string.IsNullOrEmpty(key.D), "a private key part is published");
        });
        Assert.Contains("client_credentials", configuration.GrantTypesSupported);
        Assert.Contains("password", configuration.GrantTypesSupported);
        Assert.Contains("refresh_token", configuration.GrantTypesSupported);
    }

    [Fact]
    public async Task AConfiguredClientGetsATradingTokenWithClientCredentials()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.PartnerClientId),
            ("client_secret", fixture.PartnerSecret), ("scope", "trading:read"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal("trading:read", tokens.Scope);
        Assert.Null(tokens.RefreshToken);
        var jwt = new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken);
        Assert.Equal(["trading"], jwt.Audiences);
        Assert.Equal(IdentityFixture.PartnerClientId, jwt.Payload["client_id"]);
        Assert.Equal(IdentityFixture.PartnerClientId, jwt.Subject);
    }

    [Fact]
    public async Task AnAuditScopeTokenIsMeantForTheGateway()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.AuditClientId), ("client_secret", fixture.AuditSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(["gateway"], new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken).Audiences);
    }

    [Fact]
    public async Task AClientCannotGetAScopeItWasNotGiven()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.AuditClientId),
            ("client_secret", fixture.AuditSecret), ("scope", "trading:write"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await IdentityClient.JsonAsync(response);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
        Assert.False(error.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task AWrongClientSecretIsAnOAuthInvalidClientError()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.PartnerClientId), ("client_secret", "not-the-secret-at-all"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await IdentityClient.JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task ThePasswordGrantIsRefusedToAConfidentialClient()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "password"), ("client_id", IdentityFixture.PartnerClientId), ("client_secret", fixture.PartnerSecret),
            ("username", "trader@example.com"), ("password", fixture.DemoPassword));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await IdentityClient.JsonAsync(response);
        Assert.Equal("unauthorized_client", error.GetProperty("error").GetString());
        Assert.True(error.TryGetProperty("error_description", out _));
    }

    [Fact]
    public async Task TheFirstPartyClientUsesThePasswordGrantAtTheTokenEndpoint()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "password"), ("client_id", "gateway-web"), ("username", "trader@example.com"), ("password", fixture.DemoPassword));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
    }

    [Fact]
    public async Task AWrongPasswordAtTheTokenEndpointIsAnOAuthInvalidGrant()
    {
        using var api = fixture.Api();

        using var response = await api.TokenAsync(
            ("grant_type", "password"), ("client_id", "gateway-web"), ("username", "trader@example.com"), ("password", IdentityClient.NewPassword()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_grant", (await IdentityClient.JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task IntrospectionReportsALoggedOutSessionsAccessTokenAsInactive()
    {
        using var api = fixture.Api();
        var (tokens, _, _) = await api.NewUserAsync();
        await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", tokens.AccessToken));

        using var response = await api.Http.PostAsync(new Uri("/connect/introspect", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.AccessToken,
            ["client_id"] = IdentityFixture.PartnerClientId,
            ["client_secret"] = fixture.PartnerSecret,
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await IdentityClient.JsonAsync(response)).GetProperty("active").GetBoolean());
    }
}
