using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AspireGateway.Tests;

/// <summary>
/// A client's DPoP key (ES256 on P-256, or PS256/RS256 on RSA) and the proofs it signs
/// (RFC 9449 §4.2), with a knob for every rule a test wants to break.
/// </summary>
public sealed class DPoPKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly SecurityKey _signing;

    private DPoPKey(AsymmetricAlgorithm key, string algorithm)
    {
        _key = key;
        _signing = key switch
        {
            ECDsa ec => new ECDsaSecurityKey(ec),
            RSA rsa => new RsaSecurityKey(rsa),
            _ => throw new NotSupportedException(),
        };
        Algorithm = algorithm;
    }

    public string Algorithm { get; }

    /// <summary>RFC 7638 SHA-256 thumbprint: what an access token's <c>cnf.jkt</c> names.</summary>
    public string Thumbprint => Base64UrlEncoder.Encode(PublicJwk().ComputeJwkThumbprint());

    public static DPoPKey EllipticCurve() => EllipticCurve(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>An ES256 key the caller already holds (the load harness keeps one in a file between runs).</summary>
    public static DPoPKey EllipticCurve(ECDsa key) => new(key, SecurityAlgorithms.EcdsaSha256);

    public static DPoPKey Rsa() => new(System.Security.Cryptography.RSA.Create(2048), SecurityAlgorithms.RsaSsaPssSha256);

    public JsonWebKey PublicJwk(bool includePrivate = false) => _key switch
    {
        ECDsa ec => JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(includePrivate ? ec : PublicOnly(ec))),
        RSA rsa => JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(includePrivate))),
        _ => throw new NotSupportedException(),
    };

    /// <summary>A proof for one request; each optional argument overrides what a correct client sends.</summary>
    public string Proof(
        string method,
        string url,
        string? accessToken = null,
        DateTimeOffset? issuedAt = null,
        string? jti = null,
        string? ath = null,
        string? algorithm = null,
        string type = "dpop+jwt",
        bool includePrivateKey = false)
    {
        var header = new Dictionary<string, object>
        {
            ["typ"] = type,
            ["jwk"] = JwkMembers(PublicJwk(includePrivateKey)),
        };
        var payload = new Dictionary<string, object>
        {
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        };
        var hash = ath ?? (accessToken is null ? null : Ath(accessToken));
        if (hash is not null)
        {
            payload["ath"] = hash;
        }

        return (algorithm ?? Algorithm) switch
        {
            "none" => Encode(header, payload, "none") + ".",
            "HS256" => SignHmac(header, payload),
            var alg => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
                JsonSerializer.Serialize(payload), new SigningCredentials(_signing, alg), header),
        };
    }

    public static string Ath(string accessToken) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    public void Dispose() => _key.Dispose();

    private static ECDsa PublicOnly(ECDsa key)
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(key.ExportParameters(false));
        return copy;
    }

    private static Dictionary<string, object> JwkMembers(JsonWebKey jwk)
    {
        var members = new Dictionary<string, object> { ["kty"] = jwk.Kty };
        foreach (var (name, value) in new[] { ("crv", jwk.Crv), ("x", jwk.X), ("y", jwk.Y), ("n", jwk.N), ("e", jwk.E), ("d", jwk.D), ("p", jwk.P), ("q", jwk.Q) })
        {
            if (value is not null)
            {
                members[name] = value;
            }
        }

        return members;
    }

    private static string Encode(Dictionary<string, object> header, Dictionary<string, object> payload, string algorithm)
    {
        header["alg"] = algorithm;
        return Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
    }

    /// <summary>HS256 keyed with the public key's bytes: the algorithm-confusion attack on a proof.</summary>
    private string SignHmac(Dictionary<string, object> header, Dictionary<string, object> payload)
    {
        var unsigned = Encode(header, payload, "HS256");
        var secret = _key switch { ECDsa ec => ec.ExportSubjectPublicKeyInfo(), RSA rsa => rsa.ExportSubjectPublicKeyInfo(), _ => [] };
        return unsigned + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(unsigned)));
    }
}
