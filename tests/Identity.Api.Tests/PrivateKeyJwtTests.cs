using System.Net;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Identity.Api.Tests;

/// <summary>
/// A confidential client configured with public keys instead of a secret authenticates with
/// <c>private_key_jwt</c> (RFC 7523 client assertions), as FAPI 2.0 asks of confidential clients.
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class PrivateKeyJwtTests(IdentityFixture fixture) : IDisposable
{
    private const string ClientId = "signed-partner";
    private readonly ECDsa _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public async Task AClientWithRegisteredKeysGetsATokenWithAnAssertionSignedByItsKey()
    {
        await using var service = ServiceWithSignedClient();
        using var api = new IdentityClient(service.CreateClient());

        using var response = await api.TokenAsync(Assertion(_clientKey));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnAssertionSignedByAnotherKeyOrNoAssertionAtAllIsRefused()
    {
        await using var service = ServiceWithSignedClient();
        using var api = new IdentityClient(service.CreateClient());

        using var forged = await api.TokenAsync(Assertion(_otherKey));
        using var secretless = await api.TokenAsync(("grant_type", "client_credentials"), ("client_id", ClientId), ("client_secret", "a guess of sixteen chars"));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("invalid_client", (await IdentityClient.JsonAsync(forged)).GetProperty("error").GetString());
        Assert.NotEqual(HttpStatusCode.OK, secretless.StatusCode);
    }

    public void Dispose()
    {
        _clientKey.Dispose();
        _otherKey.Dispose();
    }

    private IdentityFactory ServiceWithSignedClient()
    {
        var point = _clientKey.ExportParameters(includePrivateParameters: false).Q;
        return fixture.WithSettings(new Dictionary<string, string?>
        {
            ["Identity:Clients:2:ClientId"] = ClientId,
            ["Identity:Clients:2:Scopes"] = "trading:read",
            ["Identity:Clients:2:Jwks"] = $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"partner-1","use":"sig","alg":"ES256","x":"{{Base64UrlEncoder.Encode(point.X)}}","y":"{{Base64UrlEncoder.Encode(point.Y)}}"}]}""",
        });
    }

    private static (string, string)[] Assertion(ECDsa key)
    {
        var now = DateTime.UtcNow;
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ClientId,
            Audience = IdentityFixture.Issuer,
            Claims = new Dictionary<string, object> { ["sub"] = ClientId, ["jti"] = Guid.NewGuid().ToString("N") },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(1),
            TokenType = "client-authentication+jwt",
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = "partner-1" }, SecurityAlgorithms.EcdsaSha256),
        });
        return
        [
            ("grant_type", "client_credentials"),
            ("client_id", ClientId),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
            ("scope", "trading:read"),
        ];
    }
}
