using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Garnet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Benchmarks;

/// <summary>
/// What a DPoP-bound request costs the gateway on top of a bearer request: the bearer baseline is
/// a token the <see cref="ValidatedTokenCache"/> already knows (what a client sending its token
/// again pays); a DPoP request pays that too, plus <see cref="DPoPProofValidator"/>: parsing the
/// proof and its jwk, an ES256 verify, the claim checks, the thumbprint and the jti claimed with
/// one SET NX round trip to an embedded Garnet. The same proof is checked every time: the replay
/// refusal is the last step, so a reused proof costs exactly what a fresh one does.
/// </summary>
[MemoryDiagnoser]
public class DPoPProofBenchmarks
{
    private const string Url = "https://gateway.test/api/v1/trading/accounts";
    private readonly ValidatedTokenCache _tokens = new(TimeProvider.System);
    private GarnetServer? _garnet;
    private ConnectionMultiplexer? _cache;
    private DPoPProofValidator _proofs = null!;

    private ECDsa _issuerKey = null!;
    private ECDsa _clientKey = null!;
    private TokenValidationParameters _parameters = null!;
    private string _token = null!;
    private string _proof = null!;
    private string _thumbprint = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _garnet = new GarnetServer(["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--memory", "256m", "--index", "64m"]);
        _garnet.Start();
        _cache = ConnectionMultiplexer.Connect($"127.0.0.1:{port}");
        _proofs = new DPoPProofValidator(_cache, TimeProvider.System, new StaticOptions(new DPoPOptions { ProofLifetime = TimeSpan.FromMinutes(10) }), NullLogger<DPoPProofValidator>.Instance);

        _issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(PublicOnly(_clientKey)));
        _thumbprint = Base64UrlEncoder.Encode(clientJwk.ComputeJwkThumbprint());
        var issuerSigning = new ECDsaSecurityKey(_issuerKey) { KeyId = "es" };
        _parameters = new TokenValidationParameters
        {
            ValidIssuer = "https://gateway.test/",
            ValidAudience = "trading",
            ValidTypes = ["at+jwt"],
            IssuerSigningKey = issuerSigning,
        };
        var now = DateTime.UtcNow;
        _token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://gateway.test/",
            Audience = "trading",
            Claims = new Dictionary<string, object> { ["sub"] = "alice", ["cnf"] = new Dictionary<string, object> { ["jkt"] = _thumbprint } },
            Expires = now.AddHours(1),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(issuerSigning, SecurityAlgorithms.EcdsaSha256),
        });
        var header = new Dictionary<string, object>
        {
            ["typ"] = "dpop+jwt",
            ["jwk"] = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = clientJwk.X, ["y"] = clientJwk.Y },
        };
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = "GET",
            ["htu"] = Url,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(_token))),
        };
        _proof = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims), new SigningCredentials(new ECDsaSecurityKey(_clientKey), SecurityAlgorithms.EcdsaSha256), header);

        if (!_tokens.ValidateTokenAsync(_token, _parameters).GetAwaiter().GetResult().IsValid
            || _proofs.ValidateAsync("GET", Url, _proof, _token, _thumbprint).GetAwaiter().GetResult().Error is not null)
        {
            throw new InvalidOperationException("The benchmark token or proof does not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache?.Dispose();
        _garnet?.Dispose();
        _issuerKey.Dispose();
        _clientKey.Dispose();
    }

    [Benchmark(Baseline = true, Description = "bearer: cached token")]
    public Task<TokenValidationResult> Bearer() => _tokens.ValidateTokenAsync(_token, _parameters);

    [Benchmark(Description = "DPoP: cached token + proof (ES256 verify, checks, jti SET NX)")]
    public async Task<string?> DPoP()
    {
        await _tokens.ValidateTokenAsync(_token, _parameters);
        return (await _proofs.ValidateAsync("GET", Url, _proof, _token, _thumbprint)).Error;
    }

    [Benchmark(Description = "jti SET NX round trip alone")]
    public Task<bool> ReplayRoundTrip() => _cache!.GetDatabase().StringSetAsync("dpop-jti:bench", 1, TimeSpan.FromMinutes(1), When.NotExists);

    private static ECDsa PublicOnly(ECDsa key)
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(key.ExportParameters(false));
        return copy;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class StaticOptions(DPoPOptions value) : IOptionsMonitor<DPoPOptions>
    {
        public DPoPOptions CurrentValue => value;

        public DPoPOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DPoPOptions, string?> listener) => null;
    }
}
