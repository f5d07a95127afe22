using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The outcome of a proof check: the proof key's RFC 7638 thumbprint, or why the proof fails.
/// <paramref name="ReplayUnchecked"/> says the proof failed only because the shared cache could not
/// confirm its single use: a retry with a new proof may pass, so callers answer 503, not 401.
/// </summary>
public readonly record struct DPoPProofResult(string? Thumbprint, string? Error, bool ReplayUnchecked = false);

/// <summary>
/// Checks a DPoP proof (RFC 9449 §4.3) for the request it came with: a <c>dpop+jwt</c> signed
/// with an asymmetric algorithm by the public key it embeds, for this method and URL, fresh;
/// where an access token is presented, bound to it (<c>ath</c>); where a key is expected, made by
/// that key; and never seen before at any replica of any service (its <c>jti</c> is claimed in the
/// shared cache; when the cache cannot answer, the proof fails). The signature check is
/// Microsoft.IdentityModel's; this adds the RFC's rules. No server nonces are issued. The gateway checks the proofs of resource requests, the identity
/// service those of token requests.
/// </summary>
public sealed partial class DPoPProofValidator(
    IConnectionMultiplexer cache,
    TimeProvider time,
    IOptionsMonitor<DPoPOptions> options,
    ILogger<DPoPProofValidator> logger)
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    private readonly JsonWebTokenHandler _handler = new();
    private const int KeyCapacity = 10_000;
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(1);

    // A client signs every proof with the same key: the parsed key (and the verifier the crypto
    // layer keeps for it) is reused instead of being rebuilt from the JWK for each request.
    private readonly ConcurrentDictionary<string, JsonWebKey> _keys = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks <paramref name="proof"/> for a <paramref name="method"/> request to the public
    /// <paramref name="url"/>; with <paramref name="accessToken"/> when the request presents one,
    /// with <paramref name="boundThumbprint"/> when the proof must come from a known key.
    /// </summary>
    public async Task<DPoPProofResult> ValidateAsync(string method, string url, string proof, string? accessToken = null, string? boundThumbprint = null)
    {
        JsonWebToken token;
        JsonWebKey key;
        try
        {
            token = new JsonWebToken(proof);
            key = KeyOf(EmbeddedKeyJson(proof));
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or SecurityTokenException)
        {
            return Fail("The DPoP proof is not a well-formed JWT with a jwk header.");
        }

        if (await SignatureAsync(token, key) is { } invalid)
        {
            return Fail(invalid);
        }

        var thumbprint = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        var error = Claims(method, url, token, accessToken)
            ?? (boundThumbprint is not null && thumbprint != boundThumbprint
                ? "The DPoP proof is signed by another key than the one the token is bound to."
                : null);
        return error is null ? await ClaimJtiAsync(thumbprint, token) : Fail(error);
    }

    /// <summary>The thumbprint a token's <c>cnf</c> claim (<c>{"jkt": ...}</c>) names; empty when it names none.</summary>
    public static string? BoundThumbprint(string? confirmation)
    {
        if (confirmation is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(confirmation);
            return document.RootElement.TryGetProperty("jkt", out var jkt) && jkt.ValueKind == JsonValueKind.String ? jkt.GetString() : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty; // a confirmation no proof can match
        }
    }

    private static DPoPProofResult Fail(string error) => new(null, error);

    private async Task<string?> SignatureAsync(JsonWebToken token, JsonWebKey key)
    {
        if (!string.Equals(token.Typ, "dpop+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return "The DPoP proof's typ must be dpop+jwt.";
        }

        if (!AuthenticationExtensions.AllowedAlgorithms.Contains(token.Alg))
        {
            return $"The DPoP proof's alg must be one of {string.Join(' ', AuthenticationExtensions.AllowedAlgorithms)}.";
        }

        if (PrivateMembers.Any(member => key.AdditionalData.ContainsKey(member) || HasMember(key, member)) || key.Kty is not ("EC" or "RSA"))
        {
            return "The DPoP proof's jwk must be a public EC or RSA key.";
        }

        var signature = await _handler.ValidateTokenAsync(token.EncodedToken, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidTypes = ["dpop+jwt"],
            ValidAlgorithms = AuthenticationExtensions.AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        }).ConfigureAwait(false);
        return signature.IsValid ? null : "The DPoP proof's signature does not verify with its jwk.";
    }

    private string? Claims(string method, string url, JsonWebToken token, string? accessToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        if (!token.TryGetPayloadValue<string>("htm", out var htm) || htm != method)
        {
            return "The DPoP proof's htm does not match the request method.";
        }

        if (!token.TryGetPayloadValue<string>("htu", out var htu) || Normalize(htu) is not { } claimed || claimed != Normalize(url))
        {
            return "The DPoP proof's htu does not match the request URL.";
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat)
            || DateTimeOffset.FromUnixTimeSeconds(iat) is var issued && (issued < now - settings.ProofLifetime || issued > now + settings.ClockSkew))
        {
            return "The DPoP proof's iat is missing or outside the accepted window.";
        }

        if (accessToken is null)
        {
            return null;
        }

        var expectedAth = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        return token.TryGetPayloadValue<string>("ath", out var ath) && ath == expectedAth
            ? null
            : "The DPoP proof's ath does not match the access token.";
    }

    /// <summary>
    /// Single use across replicas and services: the first to claim the <c>jti</c> in the cache wins.
    /// Fails closed: when the cache does not answer in time, no replica can tell whether another
    /// one accepted the proof already (a claim that timed out may even have landed), so the proof
    /// is refused as unchecked rather than remembered locally.
    /// </summary>
    private async Task<DPoPProofResult> ClaimJtiAsync(string thumbprint, JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<string>("jti", out var jti) || jti is not { Length: > 0 and <= 256 })
        {
            return Fail("The DPoP proof needs a jti of at most 256 characters.");
        }

        var settings = options.CurrentValue;
        var remember = settings.ProofLifetime + settings.ClockSkew;
        var key = $"dpop-jti:{thumbprint}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(jti)))}";
        try
        {
            return await cache.GetDatabase().StringSetAsync(key, 1, remember, When.NotExists).WaitAsync(ClaimTimeout).ConfigureAwait(false)
                ? new(thumbprint, null)
                : Fail("The DPoP proof was already used.");
        }
        catch (Exception ex) when (ex.IsCacheFailure())
        {
            LogReplayUnchecked(logger, ex.GetType().Name);
            return new(null, "The DPoP proof's single use cannot be confirmed right now: retry shortly with a new proof.", ReplayUnchecked: true);
        }
    }

    private static string EmbeddedKeyJson(string proof)
    {
        var header = Base64UrlEncoder.Decode(proof[..proof.IndexOf('.', StringComparison.Ordinal)]);
        using var document = JsonDocument.Parse(header);
        return document.RootElement.TryGetProperty("jwk", out var jwk) && jwk.ValueKind == JsonValueKind.Object
            ? jwk.GetRawText()
            : throw new FormatException("no jwk header");
    }

    private JsonWebKey KeyOf(string json)
    {
        if (_keys.TryGetValue(json, out var known))
        {
            return known;
        }

        if (_keys.Count >= KeyCapacity)
        {
            _keys.Clear(); // many distinct keys at once: start over rather than grow
        }

        return _keys.GetOrAdd(json, static text => new JsonWebKey(text));
    }

    private static bool HasMember(JsonWebKey key, string member) => member switch
    {
        "d" => key.D is not null,
        "p" => key.P is not null,
        "q" => key.Q is not null,
        "dp" => key.DP is not null,
        "dq" => key.DQ is not null,
        "qi" => key.QI is not null,
        "k" => key.K is not null,
        _ => false,
    };

    /// <summary>RFC 9449 §4.3: no query or fragment; scheme, host and default port normalized (RFC 3986 §6.2.2–6.2.3).</summary>
    private static string? Normalize(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : null;

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "DPoP proof refused unchecked: the cache did not confirm its single use ({Error})")]
    private static partial void LogReplayUnchecked(ILogger logger, string error);
}
