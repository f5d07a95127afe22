using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
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
    private int _signatureChecks;

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
        Assert.Equal(1, _signatureChecks);
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

    [Fact]
    public async Task BadSignatureTokensThatMakeTheJwksBeFetchedAgainDoNotEmptyTheCache()
    {
        var jwks = new StaticJwks(_signing);
        var parameters = Parameters(_signing);
        parameters.IssuerSigningKeys = null;
        parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            Issuer + ".well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), jwks)
        {
            RefreshInterval = ConfigurationManager<OpenIdConnectConfiguration>.MinimumRefreshInterval,
        };
        var token = Mint(TimeSpan.FromMinutes(5));
        var first = await _cache.ValidateTokenAsync(token, parameters);

        // The attack: a token with the right kid and a wrong signature, which the token handler
        // answers by fetching the JWKS again, in case the key was rotated.
        var forged = await _cache.ValidateTokenAsync(Mint(TimeSpan.FromMinutes(5), _other), parameters);
        await WaitUntilAsync(() => jwks.KeySetFetches >= 2);
        var again = await _cache.ValidateTokenAsync(token, parameters);

        Assert.True(first.IsValid, first.Exception?.Message);
        Assert.False(forged.IsValid);
        Assert.True(again.IsValid, again.Exception?.Message);
        Assert.Equal(1, _signatureChecks);
    }

    [Fact]
    public async Task WhenFullTheLeastRecentlyUsedTokensMakeRoomForNewOnes()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System, capacity: 4);
        var parameters = Parameters(_signing);
        var tokens = Enumerable.Range(0, 5).Select(_ => Mint(TimeSpan.FromMinutes(5))).ToArray();
        foreach (var token in tokens[..4])
        {
            await cache.ValidateTokenAsync(token, parameters);
        }

        await cache.ValidateTokenAsync(tokens[0], parameters); // used again: now the most recent
        await cache.ValidateTokenAsync(tokens[4], parameters); // full: the least recently used goes
        var checks = _signatureChecks;
        await cache.ValidateTokenAsync(tokens[0], parameters);
        await cache.ValidateTokenAsync(tokens[4], parameters);
        Assert.Equal(checks, _signatureChecks);
        await cache.ValidateTokenAsync(tokens[1], parameters);
        Assert.Equal(checks + 1, _signatureChecks);
    }

    [Fact]
    public async Task ACachedEntryKeepsTheClaimsButNotTheToken()
    {
        var token = Mint(TimeSpan.FromMinutes(5));
        var parameters = Parameters(_signing);

        await _cache.ValidateTokenAsync(token, parameters);
        var hit = await _cache.ValidateTokenAsync(token, parameters);

        Assert.True(hit.IsValid, hit.Exception?.Message);
        Assert.IsNotType<JsonWebToken>(hit.SecurityToken);
        Assert.DoesNotContain(token, hit.SecurityToken.UnsafeToString(), StringComparison.Ordinal);
        Assert.Null(hit.ClaimsIdentity.BootstrapContext);
        Assert.Equal("s1", hit.ClaimsIdentity.FindFirst("sid")?.Value);
        Assert.Equal(new JsonWebToken(token).ValidTo, hit.SecurityToken.ValidTo);
    }

    public void Dispose()
    {
        _signing.Dispose();
        _other.Dispose();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 100 && !condition(); attempt++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the JWKS was not fetched again");
    }

    private TokenValidationParameters Parameters(ECDsa key) => new()
    {
        // Runs after every successful signature check: counts them.
        IssuerSigningKeyValidator = (_, _, _) => Interlocked.Increment(ref _signatureChecks) > 0,
        ValidIssuer = Issuer,
        ValidAudience = "trading",
        ValidTypes = ["at+jwt"],
        ValidAlgorithms = AuthenticationExtensions.AllowedAlgorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        IssuerSigningKeys = [new ECDsaSecurityKey(key) { KeyId = "k1" }],
    };

    private string Mint(TimeSpan lifetime, ECDsa? signer = null)
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
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(signer ?? _signing) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>Discovery and a JWKS with one key, as the identity service serves them; counts the JWKS fetches.</summary>
    private sealed class StaticJwks(ECDsa key) : IDocumentRetriever
    {
        private int _keySetFetches;

        public int KeySetFetches => Volatile.Read(ref _keySetFetches);

        public Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            if (address.EndsWith("openid-configuration", StringComparison.Ordinal))
            {
                return Task.FromResult($$"""{"issuer":"{{Issuer}}","jwks_uri":"{{Issuer}}.well-known/jwks"}""");
            }

            Interlocked.Increment(ref _keySetFetches);
            var point = key.ExportParameters(includePrivateParameters: false).Q;
            return Task.FromResult($$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256","x":"{{Base64UrlEncoder.Encode(point.X)}}","y":"{{Base64UrlEncoder.Encode(point.Y)}}"}]}""");
        }
    }
}
