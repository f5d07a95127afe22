using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Identity.Api.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Identity.Api.Tests;

/// <summary>Identity's own routes accept only its genuine, live access tokens.</summary>
[Collection(IdentityCollection.Name)]
public sealed class ForgedTokenTests(IdentityFixture fixture)
{
    [Fact]
    public async Task ATokenMintedWithTheRealKeyAndRightClaimsIsAccepted()
    {
        // The control: each forgery below differs from this token in one way only.
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);

        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId))));
    }

    [Fact]
    public async Task AnUnsignedAlgNoneTokenIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"at+jwt"}""");
        var payload = Mint(userId).Split('.')[1];

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", $"{header}.{payload}.")));
    }

    [Fact]
    public async Task AnHs256TokenSignedWithThePublicKeyIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);
        var real = (ECDsaSecurityKey)RealKey().Key;
        var publicKey = real.ECDsa.ExportSubjectPublicKeyInfo();
        var credentials = new SigningCredentials(new SymmetricSecurityKey(publicKey) { KeyId = real.KeyId }, SecurityAlgorithms.HmacSha256);

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId, credentials: credentials))));
    }

    [Fact]
    public async Task ATokenSignedWithAKeyNotInTheJwksIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);
        var stranger = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "sig-unknown" };

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me",
            Mint(userId, credentials: new SigningCredentials(stranger, SecurityAlgorithms.EcdsaSha256)))));
    }

    [Fact]
    public async Task AnExpiredTokenIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId, issuedAgo: TimeSpan.FromMinutes(30)))));
    }

    [Fact]
    public async Task ATokenForAnotherAudienceIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId, audience: "trading"))));
    }

    [Fact]
    public async Task ATokenFromAnotherIssuerIsRejected()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId, issuer: "http://evil.example/"))));
    }

    [Fact]
    public async Task AnIdTokenShapedJwtIsNotAcceptedAsAnAccessToken()
    {
        using var api = fixture.Api();
        var userId = await UserIdAsync(api);

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", Mint(userId, type: "JWT"))));
    }

    private SigningCredentials RealKey() => fixture.Service.Services.GetRequiredService<KeyRing>().Signing[0];

    private string Mint(string userId, SigningCredentials? credentials = null, string audience = "identity",
        string issuer = IdentityFixture.Issuer, TimeSpan? issuedAgo = null, string type = "at+jwt")
    {
        var issuedAt = DateTime.UtcNow - (issuedAgo ?? TimeSpan.Zero);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + TimeSpan.FromMinutes(5),
            TokenType = type,
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("jti", Guid.NewGuid().ToString()),
                new Claim("client_id", "gateway-web"), new Claim("scope", "trading:read")]),
            SigningCredentials = credentials ?? RealKey(),
        });
    }

    private async Task<string> UserIdAsync(IdentityClient api)
    {
        var tokens = await api.LoginOkAsync("trader@example.com", fixture.DemoPassword);
        using var me = await api.GetAsync("/api/v1/auth/me", tokens.AccessToken);
        return (await IdentityClient.JsonAsync(me)).GetProperty("user_id").GetString()!;
    }
}
