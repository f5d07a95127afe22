using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Gateway.Api.Auth;

/// <summary>
/// Checks a DPoP proof (RFC 9449 §4.3) for the request it came with: a <c>dpop+jwt</c> signed
/// with an asymmetric algorithm by the public key it embeds, for this method and URL, fresh,
/// bound to the access token (<c>ath</c>) and to the key the token names (<c>cnf.jkt</c>), and
/// never seen before at any replica (its <c>jti</c> is claimed in the shared cache). The signature
/// check is Microsoft.IdentityModel's; this adds the rules of the RFC. No server nonces are issued.
/// </summary>
internal sealed partial class DPoPProofValidator(
    IConnectionMultiplexer cache,
    TimeProvider time,
    IOptionsMonitor<DPoPOptions> options,
    ILogger<DPoPProofValidator> logger)
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _localJtis = new();
    private readonly SweepSchedule _sweeps = new(TimeSpan.FromSeconds(30));

    /// <summary>Null when the proof holds, else why not (said to the client in <c>error_description</c>).</summary>
    public async Task<string?> ValidateAsync(HttpRequest request, string proof, string accessToken, string boundThumbprint)
    {
        JsonWebToken token;
        JsonWebKey key;
        try
        {
            token = new JsonWebToken(proof);
            key = EmbeddedKey(proof);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or FormatException or SecurityTokenException)
        {
            return "The DPoP proof is not a well-formed JWT with a jwk header.";
        }

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

        var signature = await _handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidTypes = ["dpop+jwt"],
            ValidAlgorithms = AuthenticationExtensions.AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = false,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        if (!signature.IsValid)
        {
            return "The DPoP proof's signature does not verify with its jwk.";
        }

        return Claims(request, token, accessToken) ?? Binding(key, boundThumbprint) ?? await ClaimJtiAsync(boundThumbprint, token);
    }

    private string? Claims(HttpRequest request, JsonWebToken token, string accessToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        if (!token.TryGetPayloadValue<string>("htm", out var htm) || htm != request.Method)
        {
            return "The DPoP proof's htm does not match the request method.";
        }

        if (!token.TryGetPayloadValue<string>("htu", out var htu) || Normalize(htu) is not { } claimed || claimed != Normalize(PublicUrl(request)))
        {
            return "The DPoP proof's htu does not match the request URL.";
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat)
            || DateTimeOffset.FromUnixTimeSeconds(iat) is var issued && (issued < now - settings.ProofLifetime || issued > now + settings.ClockSkew))
        {
            return "The DPoP proof's iat is missing or outside the accepted window.";
        }

        var expectedAth = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        return token.TryGetPayloadValue<string>("ath", out var ath) && ath == expectedAth
            ? null
            : "The DPoP proof's ath does not match the access token.";
    }

    private static string? Binding(JsonWebKey key, string boundThumbprint) =>
        Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()) == boundThumbprint
            ? null
            : "The DPoP proof is signed by another key than the one the access token is bound to.";

    /// <summary>Single use across replicas: the first to claim the <c>jti</c> in the cache wins.</summary>
    private async Task<string?> ClaimJtiAsync(string thumbprint, JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<string>("jti", out var jti) || jti is not { Length: > 0 and <= 256 })
        {
            return "The DPoP proof needs a jti of at most 256 characters.";
        }

        var settings = options.CurrentValue;
        var remember = settings.ProofLifetime + settings.ClockSkew;
        var key = $"dpop-jti:{thumbprint}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(jti)))}";
        bool first;
        try
        {
            first = await cache.GetDatabase().StringSetAsync(key, 1, remember, When.NotExists).WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (ex.IsCacheFailure())
        {
            // The cache cannot answer: this replica still refuses what it has seen itself.
            LogLocalReplayCheck(logger, ex.GetType().Name);
            var now = time.GetUtcNow();
            SweepLocal(now);
            first = _localJtis.TryAdd(key, now + remember);
        }

        return first ? null : "The DPoP proof was already used.";
    }

    private void SweepLocal(DateTimeOffset now)
    {
        if (_sweeps.TryClaim(now))
        {
            foreach (var (key, expires) in _localJtis)
            {
                if (expires <= now)
                {
                    _localJtis.TryRemove(key, out _);
                }
            }
        }
    }

    private static JsonWebKey EmbeddedKey(string proof)
    {
        var header = Base64UrlEncoder.Decode(proof[..proof.IndexOf('.', StringComparison.Ordinal)]);
        using var document = JsonDocument.Parse(header);
        return document.RootElement.TryGetProperty("jwk", out var jwk) && jwk.ValueKind == JsonValueKind.Object
            ? new JsonWebKey(jwk.GetRawText())
            : throw new FormatException("no jwk header");
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

    /// <summary>The URL the client called, as the gateway sees it after the trusted forwarded headers.</summary>
    private static string PublicUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";

    /// <summary>RFC 9449 §4.3: no query or fragment; scheme, host and default port normalized (RFC 3986 §6.2.2–6.2.3).</summary>
    private static string? Normalize(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : null;

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "DPoP replay check made in this replica only: the cache did not answer ({Error})")]
    private static partial void LogLocalReplayCheck(ILogger logger, string error);
}
