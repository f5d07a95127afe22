using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// JwtBearer's token handler, remembering the tokens it found valid by their SHA-256 until they
/// expire, so a client that sends the same access token many times pays for one signature check
/// (an ES256 verify is most of a request's cost at the edge).
/// <list type="bullet">
/// <item>An entry names the key that verified it (<c>kid</c> and RFC 7638 thumbprint) and counts
/// only while the current key set still holds that key. A JWKS fetched again with the same keys
/// keeps every entry, so a stream of bad-signature tokens, each of which makes the token handler
/// fetch the JWKS again, cannot keep the cache cold; a rotated-out key drops its tokens.</item>
/// <item>An entry keeps the claims and the validity times, never the token itself.</item>
/// <item>When full, the least recently used tenth makes room for new tokens.</item>
/// </list>
/// Failures are never remembered. What the token says about its session is not decided here:
/// JwtBearer's <c>OnTokenValidated</c> still runs on every request (the gateway's revocation check).
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider time, int capacity = ValidatedTokenCache.DefaultCapacity) : JsonWebTokenHandler
{
    /// <summary>Bounds memory: about a KiB of claims per entry.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<TokenHash, Entry> _entries = new();
    private readonly ConditionalWeakTable<object, HashSet<SigningKeyId>> _keySets = new();
    private readonly SweepSchedule _sweeps = new(TimeSpan.FromSeconds(30));
    private readonly Lock _eviction = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var keys = KeysOf(await KeySetAsync(validationParameters).ConfigureAwait(false));
        var now = time.GetUtcNow();
        SweepIfDue(now, keys);
        var hash = TokenHash.Of(token);
        if (_entries.TryGetValue(hash, out var entry) && now < entry.Expires && keys.Contains(entry.SigningKey))
        {
            entry.Touch(now);
            // A copy of the identity: whatever a request does to its principal stays in that request.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.Token,
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Token.Issuer,
                TokenType = entry.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken { SigningKey: { } signingKey } validated
            && SigningKeyId.Of(signingKey) is { } keyId && keys.Contains(keyId))
        {
            Remember(hash, new Entry(validated, CopyClaims(result.ClaimsIdentity), result.TokenType, keyId, now));
        }

        return result;
    }

    // JwtBearer hands over either a configuration manager (keys from the JWKS) or fixed keys; the
    // object it returns stays the same until the keys are fetched again.
    private static async ValueTask<object?> KeySetAsync(TokenValidationParameters parameters) =>
        parameters.ConfigurationManager is { } manager
            ? await manager.GetBaseConfigurationAsync(CancellationToken.None).ConfigureAwait(false)
            : (object?)parameters.IssuerSigningKeys ?? parameters.IssuerSigningKey;

    /// <summary>The keys of a key set, worked out once per fetched set.</summary>
    private HashSet<SigningKeyId> KeysOf(object? keySet) => keySet is null ? [] : _keySets.GetValue(keySet, static set =>
    {
        IEnumerable<SecurityKey> keys = set switch
        {
            BaseConfiguration configuration => configuration.SigningKeys,
            IEnumerable<SecurityKey> many => many,
            SecurityKey one => [one],
            _ => [],
        };
        return [.. keys.Select(SigningKeyId.Of).OfType<SigningKeyId>()];
    });

    /// <summary>Fresh claims with no reference back to the token they came from.</summary>
    private static ClaimsIdentity CopyClaims(ClaimsIdentity identity) => new(
        identity.Claims.Select(claim => new Claim(claim.Type, claim.Value, claim.ValueType, claim.Issuer, claim.OriginalIssuer)),
        identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);

    private void Remember(TokenHash hash, Entry entry)
    {
        if (Volatile.Read(ref _count) >= capacity && !TryEvictLeastRecentlyUsed())
        {
            return;
        }

        if (_entries.TryAdd(hash, entry))
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>One thread at a time drops the least recently used tenth; the others skip remembering meanwhile.</summary>
    private bool TryEvictLeastRecentlyUsed()
    {
        if (!_eviction.TryEnter())
        {
            return false;
        }

        try
        {
            var excess = Volatile.Read(ref _count) - (capacity - Math.Max(1, capacity / 10));
            foreach (var (hash, _) in _entries.OrderBy(pair => pair.Value.LastUsed).Take(excess).ToList())
            {
                Forget(hash);
            }

            return true;
        }
        finally
        {
            _eviction.Exit();
        }
    }

    private void SweepIfDue(DateTimeOffset now, HashSet<SigningKeyId> keys)
    {
        if (!_sweeps.TryClaim(now))
        {
            return;
        }

        foreach (var (hash, entry) in _entries)
        {
            if (entry.Expires <= now || !keys.Contains(entry.SigningKey))
            {
                Forget(hash);
            }
        }
    }

    private void Forget(TokenHash hash)
    {
        if (_entries.TryRemove(hash, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private sealed class Entry(JsonWebToken validated, ClaimsIdentity identity, string tokenType, SigningKeyId signingKey, DateTimeOffset now)
    {
        private long _lastUsed = now.UtcTicks;

        public CachedToken Token { get; } = new(validated.Id, validated.Issuer, validated.ValidFrom, validated.ValidTo);

        public ClaimsIdentity Identity { get; } = identity;

        public string TokenType { get; } = tokenType;

        public SigningKeyId SigningKey { get; } = signingKey;

        public DateTimeOffset Expires { get; } = new(validated.ValidTo, TimeSpan.Zero);

        public long LastUsed => Volatile.Read(ref _lastUsed);

        public void Touch(DateTimeOffset now) => Volatile.Write(ref _lastUsed, now.UtcTicks);
    }

    /// <summary>What JwtBearer reads of a validated token (its validity times), without the token.</summary>
    private sealed class CachedToken(string id, string issuer, DateTime validFrom, DateTime validTo) : SecurityToken
    {
        public override string Id { get; } = id;

        public override string Issuer { get; } = issuer;

        public override SecurityKey? SecurityKey => null;

        public override SecurityKey? SigningKey { get; set; }

        public override DateTime ValidFrom { get; } = validFrom;

        public override DateTime ValidTo { get; } = validTo;

        public override string UnsafeToString() => $"validated token {Id}";
    }

    /// <summary>A signing key by its <c>kid</c> and its RFC 7638 thumbprint: the same key in any fetched JWKS.</summary>
    private readonly record struct SigningKeyId(string? KeyId, string Thumbprint)
    {
        public static SigningKeyId? Of(SecurityKey key) =>
            key.CanComputeJwkThumbprint() ? new SigningKeyId(key.KeyId, Base64UrlEncoder.Encode(key.ComputeJwkThumbprint())) : null;
    }
}
