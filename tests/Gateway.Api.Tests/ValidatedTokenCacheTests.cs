using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Api.Tests;

/// <summary>
/// The cache of validated tokens in front of JwtBearer (ServiceDefaults): a token passes the
/// signature check once, and the cache never lets through what a fresh check would refuse.
/// Revocation of cached tokens is covered end to end in <see cref="EdgeAuthenticationTests"/>.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "https://gateway.test/";
    private readonly ECDsa _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ValidatedTokenCache _cache = new(TimeProvider.System);

    [Fact]
    public async Task AValidTokenIsCheckedOnceThenServedFromTheCacheWithItsOwnCopyOfTheClaims()
    {
        var token = Mint(TimeSpan.FromMinutes(5));
        var parameters = Parameters(_signing);

        var first = await _cache.ValidateTokenAsync(token, parameters);
        var second = await _cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.True(second.IsValid, second.Exception?.Message);
        Assert.Equal(1, _cache.Count);
        Assert.Equal("alice", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task ACachedTokenIsRefusedOnceItExpires()
    {
        var token = Mint(TimeSpan.FromSeconds(2));
        var parameters = Parameters(_signing);
        var validTo = new JsonWebToken(token).ValidTo;

        var before = await _cache.ValidateTokenAsync(token, parameters);
        await Task.Delay(validTo - DateTime.UtcNow + TimeSpan.FromMilliseconds(300));
        var after = await _cache.ValidateTokenAsync(token, parameters);

        Assert.True(before.IsValid, before.Exception?.Message);
        Assert.False(after.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(after.Exception);
    }

    [Fact]
    public async Task ACachedTokenIsRefusedOnceItsSigningKeyIsNoLongerPublished()
    {
        var token = Mint(TimeSpan.FromMinutes(5));

        var withItsKey = await _cache.ValidateTokenAsync(token, Parameters(_signing));
        var afterRotation = await _cache.ValidateTokenAsync(token, Parameters(_other));

        Assert.True(withItsKey.IsValid, withItsKey.Exception?.Message);
        Assert.False(afterRotation.IsValid);
    }

    [Fact]
    public async Task ATokenWithOneCharacterChangedIsCheckedAfreshAndRefusedAndNothingInvalidIsRemembered()
    {
        var token = Mint(TimeSpan.FromMinutes(5));
        var parameters = Parameters(_signing);
        var tampered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        var genuine = await _cache.ValidateTokenAsync(token, parameters);
        var forged = await _cache.ValidateTokenAsync(tampered, parameters);
        var forgedAgain = await _cache.ValidateTokenAsync(tampered, parameters);

        Assert.True(genuine.IsValid, genuine.Exception?.Message);
        Assert.False(forged.IsValid);
        Assert.False(forgedAgain.IsValid);
        Assert.Equal(1, _cache.Count);
    }

    public void Dispose()
    {
        _signing.Dispose();
        _other.Dispose();
    }

    private static TokenValidationParameters Parameters(ECDsa key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = "trading",
        ValidTypes = ["at+jwt"],
        ValidAlgorithms = AuthenticationExtensions.AllowedAlgorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        IssuerSigningKeys = [new ECDsaSecurityKey(key) { KeyId = "k1" }],
    };

    private string Mint(TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "trading",
            Claims = new Dictionary<string, object> { ["sub"] = "alice", ["sid"] = "s1" },
            NotBefore = now.AddSeconds(-5),
            IssuedAt = now.AddSeconds(-5),
            Expires = now + lifetime,
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_signing) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        });
    }
}
