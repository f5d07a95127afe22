using Identity.Api.Events;
using OpenIddict.Abstractions;

namespace Identity.Api.Sessions;

/// <summary>
/// Ends sessions. A session is an OpenIddict ad-hoc authorization; its id is the <c>sid</c> claim.
/// Ending one revokes the authorization (so identity's own token validation rejects its access
/// tokens), every token entry of it (refresh tokens die), then publishes the sid to the cache,
/// through an outbox entry recorded first, so neither a cache outage nor a crash loses it.
/// </summary>
internal sealed class SessionRevoker(
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    RevocationPublisher publisher,
    SecurityEvents events)
{
    public async Task EndAsync(string sessionId, string reason, string? userId, CancellationToken cancellationToken = default)
    {
        var pending = await publisher.RecordAsync(sessionId, cancellationToken);
        var authorization = await authorizations.FindByIdAsync(sessionId, cancellationToken);
        if (authorization is not null)
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
            userId ??= await authorizations.GetSubjectAsync(authorization, cancellationToken);
        }

        await tokens.RevokeByAuthorizationIdAsync(sessionId, cancellationToken);
        await publisher.TryPublishAsync(pending, cancellationToken);
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
}
