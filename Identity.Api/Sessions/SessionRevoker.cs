using Identity.Api.Events;
using Identity.Api.Tokens;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using StackExchange.Redis;

namespace Identity.Api.Sessions;

/// <summary>
/// Ends sessions. A session is an OpenIddict ad-hoc authorization; its id is the <c>sid</c> claim.
/// Ending one revokes the authorization (so identity's own token validation rejects its access
/// tokens), every token entry of it (refresh tokens die), then publishes the sid to the cache.
/// </summary>
internal sealed partial class SessionRevoker(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    IConnectionMultiplexer cache,
    IOptions<TokenOptions> options,
    SecurityEvents events,
    ILogger<SessionRevoker> logger)
{
    public async Task EndAsync(string sessionId, string reason, string? userId, CancellationToken cancellationToken = default)
    {
        var authorization = await authorizations.FindByIdAsync(sessionId, cancellationToken);
        if (authorization is not null)
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
            userId ??= await authorizations.GetSubjectAsync(authorization, cancellationToken);
        }

        await tokens.RevokeByAuthorizationIdAsync(sessionId, cancellationToken);
        await PublishAsync(sessionId);
        await events.RecordAsync(SecurityEventTypes.SessionRevoked, Outcomes.Success, userId, sessionId: sessionId, reason: reason, cancellationToken: cancellationToken);
    }

    /// <summary>Ends every session of a user that is still valid; returns how many.</summary>
    public async Task<int> EndAllAsync(string userId, string reason, CancellationToken cancellationToken = default)
    {
        var sessionIds = new List<string>();
        await foreach (var authorization in authorizations.FindBySubjectAsync(userId, cancellationToken))
        {
            if (await authorizations.HasStatusAsync(authorization, OpenIddictConstants.Statuses.Valid, cancellationToken)
                && await authorizations.GetIdAsync(authorization, cancellationToken) is { } id)
            {
                sessionIds.Add(id);
            }
        }

        // Buffered first: revoking while the store still enumerates is not supported by every provider.
        foreach (var sessionId in sessionIds)
        {
            await EndAsync(sessionId, reason, userId, cancellationToken);
        }

        return sessionIds.Count;
    }

    private async Task PublishAsync(string sessionId)
    {
        var ttl = options.Value.AccessTokenLifetime + RevocationProtocol.TtlMargin;
        try
        {
            await cache.GetDatabase().StringSetAsync(RevocationProtocol.Key(sessionId), 1, ttl);
            await cache.GetSubscriber().PublishAsync(RedisChannel.Literal(RevocationProtocol.Channel), sessionId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The database revocation above stands; only the gateway's fast path misses this session.
            PublishFailed(logger, sessionId, ex);
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "Session {SessionId} was revoked in the database but could not be published to the cache")]
    private static partial void PublishFailed(ILogger logger, string sessionId, Exception exception);
}
