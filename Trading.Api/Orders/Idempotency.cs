using System.Text.Json;
using StackExchange.Redis;

namespace Trading.Api.Orders;

/// <summary>A stored first response, replayed byte for byte.</summary>
internal sealed record StoredResponse(string Fingerprint, int StatusCode, string ContentType, string Body, string? Location);

internal enum IdempotencyState { Proceed, Replay, InFlight, Mismatch, CacheUnavailable }

/// <summary>
/// The fast half of idempotency (CONTRACT §5), in the shared cache: a key is claimed with SET NX
/// while its request runs (in flight → 409 for a second request), then holds the response for
/// 24 hours (same body → replay, another body → 422). Keys are scoped to the caller. The durable
/// half is the database's unique (owner, key); this class is only ever an accelerator and a lock.
/// </summary>
internal sealed class IdempotencyCache(IConnectionMultiplexer cache, TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // Long enough for any order to complete; short enough that a crashed request frees its key.
    private static readonly TimeSpan InFlightLease = TimeSpan.FromSeconds(30);

    public async Task<(IdempotencyState State, StoredResponse? Response)> BeginAsync(string ownerId, string key, string fingerprint)
    {
        var cacheKey = CacheKey(ownerId, key);
        var claim = JsonSerializer.Serialize(new Entry(fingerprint, InFlight: true, null, time.GetUtcNow()));
        try
        {
            var database = cache.GetDatabase();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (await database.StringSetAsync(cacheKey, claim, InFlightLease, When.NotExists))
                {
                    return (IdempotencyState.Proceed, null);
                }

                var existing = await database.StringGetAsync(cacheKey);
                if (existing.IsNull)
                {
                    continue; // expired between the two calls: claim again
                }

                var entry = JsonSerializer.Deserialize<Entry>(existing.ToString())!;
                return entry switch
                {
                    _ when entry.Fingerprint != fingerprint => (IdempotencyState.Mismatch, null),
                    { InFlight: true } => (IdempotencyState.InFlight, null),
                    _ => (IdempotencyState.Replay, entry.Response),
                };
            }

            return (IdempotencyState.InFlight, null);
        }
        catch (RedisException)
        {
            return (IdempotencyState.CacheUnavailable, null);
        }
    }

    public async Task CompleteAsync(string ownerId, string key, StoredResponse response)
    {
        var entry = JsonSerializer.Serialize(new Entry(response.Fingerprint, InFlight: false, response, time.GetUtcNow()));
        try
        {
            await cache.GetDatabase().StringSetAsync(CacheKey(ownerId, key), entry, Retention);
        }
        catch (RedisException)
        {
            // The database holds the response; the cache is rebuilt from it on the next replay.
        }
    }

    /// <summary>Frees a key whose request failed before it produced a response, so the client may retry.</summary>
    public async Task AbandonAsync(string ownerId, string key)
    {
        try
        {
            await cache.GetDatabase().KeyDeleteAsync(CacheKey(ownerId, key));
        }
        catch (RedisException)
        {
            // The lease expires by itself.
        }
    }

    private static RedisKey CacheKey(string ownerId, string key) => $"idem:trading:{ownerId}:{key}";

    private sealed record Entry(string Fingerprint, bool InFlight, StoredResponse? Response, DateTimeOffset At);
}
