using Identity.Api.Data;
using Identity.Api.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Identity.Api.Sessions;

/// <summary>
/// Publishes ended sessions to the cache through the outbox table <see cref="PendingRevocation"/>:
/// recorded first, published, then deleted. What the cache does not take stays for the republisher.
/// </summary>
internal sealed partial class RevocationPublisher(
    IdentityDb db,
    IConnectionMultiplexer cache,
    IOptions<TokenOptions> options,
    TimeProvider time,
    ILogger<RevocationPublisher> logger)
{
    public const int BatchSize = 100;

    // Once the cache failed in this scope (say, a request ending several sessions), the rest of the
    // scope leaves its entries to the republisher instead of waiting out one timeout per session.
    private bool _cacheFailed;

    /// <summary>Records the session as to be published; a token issued until now expires by <see cref="PendingRevocation.ExpiresAt"/>.</summary>
    public async Task<PendingRevocation> RecordAsync(string sessionId, CancellationToken cancellationToken)
    {
        var pending = new PendingRevocation
        {
            SessionId = sessionId,
            ExpiresAt = time.GetUtcNow() + options.Value.AccessTokenLifetime + RevocationProtocol.TtlMargin,
        };
        db.PendingRevocations.Add(pending);
        await db.SaveChangesAsync(cancellationToken);
        return pending;
    }

    /// <summary>
    /// <c>SET revoked:sid:{sid}</c> for the rest of the tokens' lifetime and <c>PUBLISH revocations</c>,
    /// then forgets the entry. False when the cache did not take it: the entry stays for the next try.
    /// </summary>
    public async Task<bool> TryPublishAsync(PendingRevocation pending, CancellationToken cancellationToken)
    {
        var ttl = pending.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            // Every access token of the session has expired by itself: the key would guard nothing.
            ExpiredUnpublished(logger, pending.SessionId);
        }
        else if (_cacheFailed || !cache.IsConnected)
        {
            // Not even tried: while disconnected, a command waits out the whole timeout in the backlog.
            return false;
        }
        else
        {
            try
            {
                await cache.GetDatabase().StringSetAsync(RevocationProtocol.Key(pending.SessionId), 1, ttl);
                await cache.GetSubscriber().PublishAsync(RedisChannel.Literal(RevocationProtocol.Channel), pending.SessionId);
            }
            catch (Exception ex) when (ex.IsCacheFailure())
            {
                _cacheFailed = true;
                PublishFailed(logger, pending.SessionId, ex);
                return false;
            }
        }

        // By id, without a concurrency check: another replica may have published and deleted it already.
        await db.PendingRevocations.Where(p => p.Id == pending.Id).ExecuteDeleteAsync(cancellationToken);
        return true;
    }

    /// <summary>Publishes what is pending, oldest first, until the cache refuses one; returns how many it settled.</summary>
    public async Task<int> RepublishAsync(CancellationToken cancellationToken)
    {
        var settled = 0;
        while (true)
        {
            var batch = await db.PendingRevocations.AsNoTracking().OrderBy(p => p.Id).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var pending in batch)
            {
                if (!await TryPublishAsync(pending, cancellationToken))
                {
                    return settled;
                }

                settled++;
            }

            if (batch.Count < BatchSize)
            {
                return settled;
            }
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "Session {SessionId} is revoked in the database; publishing it to the cache failed and will be retried")]
    private static partial void PublishFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Session {SessionId} was never published to the cache; its access tokens have all expired, so it is dropped")]
    private static partial void ExpiredUnpublished(ILogger logger, string sessionId);
}
