using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AspireGateway.Tests;

/// <summary>
/// A stand-in for the identity service where a test is not about it: a real HTTP server on a
/// loopback port publishing an OIDC discovery document and a JWKS with one ES256 key, and a
/// minter of RFC 9068 access tokens signed with that key, plus the forgeries an attacker would try.
/// </summary>
public sealed class TestTokenIssuer : IAsyncDisposable
{
    public const string KeyId = "test-es256-1";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly JsonWebTokenHandler _handler = new();
    private WebApplication? _app;

    public string Address { get; private set; } = string.Empty;

    /// <summary>The issuer the discovery document names (as the gateway's public URL would be).</summary>
    public string Issuer => "https://gateway.test/";

    public static async Task<TestTokenIssuer> StartAsync()
    {
        var issuer = new TestTokenIssuer();
        var port = Ports.FreeLoopback();
        issuer.Address = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(issuer.Address);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer.Issuer,
            ["jwks_uri"] = issuer.Issuer + ".well-known/jwks",
            ["token_endpoint"] = issuer.Issuer + "connect/token",
            ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
        }));
        app.MapGet("/.well-known/jwks", () => Results.Json(new { keys = new[] { issuer.PublicJwk() } }));
        await app.StartAsync();
        issuer._app = app;
        return issuer;
    }

    /// <summary>A valid access token unless a parameter says otherwise.</summary>
    public string Mint(
        string subject,
        string[]? roles = null,
        string[]? scopes = null,
        string audience = "trading",
        string? issuer = null,
        TimeSpan? lifetime = null,
        string tokenType = "at+jwt",
        string? sessionId = null,
        DateTime? notBefore = null,
        string? boundToThumbprint = null)
    {
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["client_id"] = "gateway-web",
            ["sid"] = sessionId ?? Guid.NewGuid().ToString("N"),
            ["scope"] = string.Join(' ', scopes ?? []),
        };
        if (roles is { Length: > 0 })
        {
            claims["role"] = roles;
        }

        if (boundToThumbprint is not null)
        {
            claims["cnf"] = new Dictionary<string, object> { ["jkt"] = boundToThumbprint };
        }

        var start = notBefore ?? now.AddSeconds(-5);
        var expires = start + (lifetime ?? TimeSpan.FromMinutes(5));
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = start,
            NotBefore = start,
            Expires = expires,
            TokenType = tokenType,
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public string Trader(string? subject = null) => Mint(subject ?? NewSubject(), roles: ["trader"]);

    public static string NewSubject() => Guid.NewGuid().ToString();

    /// <summary>The tokens every service must refuse, by name (see <see cref="Forge(string, string, string)"/>).</summary>
    public static readonly string[] Forgeries = ["alg-none", "hs256-public-key", "unknown-kid", "expired", "not-yet-valid", "wrong-audience", "wrong-issuer", "not-an-access-token"];

    /// <summary>A trader token that must be refused, made the way <paramref name="kind"/> names.</summary>
    public string Forge(string kind, string subject, string wrongAudience) => kind switch
    {
        "alg-none" => ForgeUnsigned(subject),
        "hs256-public-key" => ForgeHmacWithPublicKey(subject),
        "unknown-kid" => ForgeWithUnknownKey(subject, Issuer),
        "expired" => Mint(subject, roles: ["trader"], notBefore: DateTime.UtcNow.AddMinutes(-20), lifetime: TimeSpan.FromMinutes(5)),
        "not-yet-valid" => Mint(subject, roles: ["trader"], notBefore: DateTime.UtcNow.AddMinutes(10)),
        "wrong-audience" => Mint(subject, roles: ["trader"], audience: wrongAudience),
        "wrong-issuer" => Mint(subject, roles: ["trader"], issuer: "https://evil.test/"),
        "not-an-access-token" => Mint(subject, roles: ["trader"], tokenType: "JWT"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a known forgery."),
    };

    /// <summary>Unsigned, <c>alg: none</c>.</summary>
    public string ForgeUnsigned(string subject) => Forge(new { alg = "none", typ = "at+jwt" }, subject, signature: string.Empty);

    /// <summary>HS256 with the public key as the HMAC secret: the classic algorithm-confusion attack.</summary>
    public string ForgeHmacWithPublicKey(string subject)
    {
        var unsigned = Unsigned(new { alg = "HS256", typ = "at+jwt", kid = KeyId }, subject);
        var signature = HMACSHA256.HashData(_key.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(unsigned));
        return unsigned + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Well formed and ES256, but signed by a key the JWKS does not publish.</summary>
    public static string ForgeWithUnknownKey(string subject, string issuer)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "trading",
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = new[] { "trader" } },
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = "unknown-kid" }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _key.Dispose();
    }

    private string Forge(object header, string subject, string signature) => Unsigned(header, subject) + "." + signature;

    private string Unsigned(object header, string subject)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["aud"] = "trading", ["sub"] = subject, ["role"] = new[] { "trader" },
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + 300, ["jti"] = Guid.NewGuid().ToString("N"),
        };
        return Base64UrlEncoder.Encode(System.Text.Json.JsonSerializer.Serialize(header)) + "."
            + Base64UrlEncoder.Encode(System.Text.Json.JsonSerializer.Serialize(payload));
    }

    private Dictionary<string, string> PublicJwk()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = KeyId,
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
    }
}
