using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// JwtBearer's token handler, remembering the tokens it found valid by their SHA-256 until they
/// expire, so a client that sends the same access token many times pays for one signature check
/// (an ES256 verify is most of a request's cost at the edge). An entry counts only against the
/// key set it was checked with: once the JWKS is fetched again, every token is checked afresh.
/// Failures are never remembered. What the token says about its session is not decided here:
/// JwtBearer's <c>OnTokenValidated</c> still runs on every request (the gateway's revocation check).
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider time) : JsonWebTokenHandler
{
    /// <summary>Bounds memory: a few KiB per entry, so at most some tens of MiB.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<TokenHash, Entry> _entries = new();
    private int _count;
    private readonly SweepSchedule _sweeps = new(TimeSpan.FromSeconds(30));

    public int Count => Volatile.Read(ref _count);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var keySet = await KeySetAsync(validationParameters).ConfigureAwait(false);
        var now = time.GetUtcNow();
        SweepIfDue(now, keySet);
        var hash = TokenHash.Of(token);
        if (_entries.TryGetValue(hash, out var entry) && now < entry.Expires && ReferenceEquals(entry.KeySet, keySet))
        {
            // A copy of the identity: whatever a request does to its principal stays in that request.
            return new TokenValidationResult
            {
                IsValid = true,
                SecurityToken = entry.Token,
                ClaimsIdentity = entry.Identity.Clone(),
                Issuer = entry.Issuer,
                TokenType = entry.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken validated && keySet is not null)
        {
            Remember(hash, new Entry(validated, result.ClaimsIdentity.Clone(), result.Issuer, result.TokenType, keySet, new DateTimeOffset(validated.ValidTo, TimeSpan.Zero)));
        }

        return result;
    }

    // JwtBearer hands over either a configuration manager (keys from the JWKS) or fixed keys; the
    // object it returns stays the same until the keys are fetched again.
    private static async ValueTask<object?> KeySetAsync(TokenValidationParameters parameters) =>
        parameters.ConfigurationManager is { } manager
            ? await manager.GetBaseConfigurationAsync(CancellationToken.None).ConfigureAwait(false)
            : (object?)parameters.IssuerSigningKeys ?? parameters.IssuerSigningKey;

    private void Remember(TokenHash hash, Entry entry)
    {
        if (Volatile.Read(ref _count) < Capacity && _entries.TryAdd(hash, entry))
        {
            Interlocked.Increment(ref _count);
        }
    }

    private void SweepIfDue(DateTimeOffset now, object? keySet)
    {
        if (!_sweeps.TryClaim(now))
        {
            return;
        }

        foreach (var (hash, entry) in _entries)
        {
            if ((entry.Expires <= now || !ReferenceEquals(entry.KeySet, keySet)) && _entries.TryRemove(hash, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    private sealed record Entry(JsonWebToken Token, System.Security.Claims.ClaimsIdentity Identity, string Issuer, string TokenType, object KeySet, DateTimeOffset Expires);

    /// <summary>SHA-256 of the token: the cache never holds a bearer token itself.</summary>
    private readonly record struct TokenHash(UInt128 First, UInt128 Second)
    {
        private const int StackLimit = 4096;

        public static TokenHash Of(string token)
        {
            var length = Encoding.UTF8.GetMaxByteCount(token.Length);
            var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
            try
            {
                var bytes = rented ?? stackalloc byte[StackLimit];
                var written = Encoding.UTF8.GetBytes(token, bytes);
                Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(bytes[..written], digest);
                var halves = MemoryMarshal.Cast<byte, UInt128>(digest);
                return new TokenHash(halves[0], halves[1]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }
}
