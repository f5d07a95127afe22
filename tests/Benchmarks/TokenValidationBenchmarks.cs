using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Benchmarks;

/// <summary>
/// What the gateway's JwtBearer pays per request to validate an access token, in pieces: the
/// raw P-256 signature check, JsonWebTokenHandler.ValidateTokenAsync with the JWKS key cached
/// (warm: the key's signature provider is reused, as in the running gateway) and with a key seen
/// for the first time (cold: what the first request after a JWKS fetch pays), the same for
/// RS256, and the gateway's <see cref="ValidatedTokenCache"/> returning a token it already
/// validated (SHA-256 of the token, a lookup, a copy of the claims), which is what a client sending
/// the same token again pays instead.
/// </summary>
[MemoryDiagnoser]
public class TokenValidationBenchmarks
{
    internal const string Issuer = "https://gateway.test/";
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ValidatedTokenCache _cache = new(TimeProvider.System);
    private ECDsa _ecdsa = null!;
    private RSA _rsa = null!;
    private string _ecJwkJson = null!;
    private string _es256 = null!;
    private string _rs256 = null!;
    private byte[] _signedBytes = null!;
    private byte[] _signature = null!;
    private TokenValidationParameters _warmEs = null!;
    private TokenValidationParameters _warmRs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _rsa = RSA.Create(2048);
        _es256 = Mint(new ECDsaSecurityKey(_ecdsa) { KeyId = "es" }, SecurityAlgorithms.EcdsaSha256);
        _rs256 = Mint(new RsaSecurityKey(_rsa) { KeyId = "rs" }, SecurityAlgorithms.RsaSha256);

        // The gateway gets its keys as JSON Web Keys from the JWKS, public parts only.
        var ec = _ecdsa.ExportParameters(includePrivateParameters: false);
        _ecJwkJson = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = "es",
            ["x"] = Base64UrlEncoder.Encode(ec.Q.X), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y),
        });
        var rsJwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "rs" });
        _warmEs = Parameters(new JsonWebKey(_ecJwkJson));
        _warmRs = Parameters(rsJwk);

        var parts = _es256.Split('.');
        _signedBytes = System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        _signature = Base64UrlEncoder.DecodeBytes(parts[2]);

        var warm = _handler.ValidateTokenAsync(_es256, _warmEs).GetAwaiter().GetResult();
        if (!warm.IsValid || !_handler.ValidateTokenAsync(_rs256, _warmRs).GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException("The benchmark tokens do not validate: " + warm.Exception);
        }

        if (!_cache.ValidateTokenAsync(_es256, _warmEs).GetAwaiter().GetResult().IsValid)
        {
            throw new InvalidOperationException("The cache refused the benchmark token.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ecdsa.Dispose();
        _rsa.Dispose();
    }

    [Benchmark(Description = "P-256 signature verify only (ECDsa.VerifyData)")]
    public bool SignatureOnly() => _ecdsa.VerifyData(_signedBytes, _signature, HashAlgorithmName.SHA256);

    [Benchmark(Baseline = true, Description = "ES256 ValidateTokenAsync, key cached (warm)")]
    public async Task<bool> Es256Warm() => (await _handler.ValidateTokenAsync(_es256, _warmEs)).IsValid;

    // The default factory caches signature providers by the key's thumbprint, so a new key object
    // alone would still be warm: a factory without the cache makes every call import the key.
    [Benchmark(Description = "ES256 ValidateTokenAsync, key just fetched (cold)")]
    public async Task<bool> Es256Cold()
    {
        var key = new JsonWebKey(_ecJwkJson) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
        return (await new JsonWebTokenHandler().ValidateTokenAsync(_es256, Parameters(key))).IsValid;
    }

    [Benchmark(Description = "RS256 ValidateTokenAsync, key cached (warm)")]
    public async Task<bool> Rs256Warm() => (await _handler.ValidateTokenAsync(_rs256, _warmRs)).IsValid;

    [Benchmark(Description = "ES256 through ValidatedTokenCache, token seen before (cached)")]
    public async Task<bool> Es256Cached() => (await _cache.ValidateTokenAsync(_es256, _warmEs)).IsValid;

    internal static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        // As ServiceDefaults/Authentication.cs configures JwtBearer, with the key the JWKS gives.
        ValidIssuer = Issuer,
        ValidAudiences = ["identity", "trading", "gateway"],
        ValidTypes = ["at+jwt"],
        ValidAlgorithms = AuthenticationExtensions.AllowedAlgorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "sub",
        RoleClaimType = "role",
        IssuerSigningKey = key,
    };

    internal static string Mint(SecurityKey key, string algorithm) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = "trading",
        Claims = new Dictionary<string, object>
        {
            ["sub"] = Guid.NewGuid().ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["client_id"] = "gateway-web",
            ["sid"] = Guid.NewGuid().ToString("N"),
            ["scope"] = string.Empty,
            ["role"] = new[] { "trader" },
        },
        Expires = DateTime.UtcNow.AddHours(12),
        TokenType = "at+jwt",
        SigningCredentials = new SigningCredentials(key, algorithm),
    });
}
