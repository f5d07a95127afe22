using Identity.Api.Events;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Identity.Api.Sessions;

/// <summary>
/// Refresh-token reuse detection, hooked just before OpenIddict's own token-entry check. With a
/// zero reuse leeway OpenIddict rejects an already redeemed refresh token and revokes the tokens of
/// its authorization; this ends the whole session as well (authorization revoked, sid published),
/// so the access tokens of the session die at the gateway too.
/// </summary>
internal sealed class EndSessionOnRefreshTokenReuse(IOpenIddictTokenManager tokens, SessionRevoker sessions, SecurityEvents events)
    : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<EndSessionOnRefreshTokenReuse>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.Principal is null || string.IsNullOrEmpty(context.TokenId) || string.IsNullOrEmpty(context.AuthorizationId)
            || !context.Principal.HasTokenType(TokenTypeIdentifiers.RefreshToken))
        {
            return;
        }

        var token = await tokens.FindByIdAsync(context.TokenId, context.CancellationToken);
        if (token is null || !await tokens.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken))
        {
            return;
        }

        var userId = context.Principal.GetClaim(Claims.Subject);
        await events.RecordAsync(SecurityEventTypes.RefreshTokenReused, Outcomes.Failure, userId, context.Request?.ClientId, context.AuthorizationId, "refresh_token_reused", context.CancellationToken);
        await sessions.EndAsync(context.AuthorizationId, "refresh_token_reused", userId, context.CancellationToken);
    }
}

/// <summary>
/// Single use of a refresh token when presentations race. OpenIddict marks a refresh token
/// redeemed only after the new tokens are made, and deliberately ignores losing that race, so
/// several simultaneous presentations would each get a new pair. This claims the token entry
/// first, as the last step of validating the request: the store's compare-and-set on the entry's
/// concurrency token lets exactly one presentation win, in any process; every other one is reuse
/// and ends the session, as a later presentation would.
/// </summary>
internal sealed class RedeemRefreshTokenOnce(IOpenIddictTokenManager tokens, SessionRevoker sessions, SecurityEvents events)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RedeemRefreshTokenOnce>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (!context.Request.IsRefreshTokenGrantType() || context.RefreshTokenPrincipal is not { } principal
            || principal.GetTokenId() is not { Length: > 0 } tokenId
            || await tokens.FindByIdAsync(tokenId, context.CancellationToken) is not { } token)
        {
            return;
        }

        // The entry was read while validating; redeeming it succeeds only if nobody changed it since.
        if (await tokens.TryRedeemAsync(token, context.CancellationToken))
        {
            return;
        }

        var userId = principal.GetClaim(Claims.Subject);
        var sessionId = principal.GetAuthorizationId();
        await events.RecordAsync(SecurityEventTypes.RefreshTokenReused, Outcomes.Failure, userId, context.Request.ClientId, sessionId, "refresh_token_reused", context.CancellationToken);
        if (sessionId is { Length: > 0 })
        {
            await sessions.EndAsync(sessionId, "refresh_token_reused", userId, context.CancellationToken);
        }

        context.Reject(Errors.InvalidGrant, "The refresh token has already been used.");
    }
}

/// <summary>
/// RFC 7009 §2.1: revoking a refresh token should also invalidate the access tokens of the same
/// grant. After OpenIddict revoked the token, this ends the session it belonged to.
/// </summary>
internal sealed class EndSessionOnRefreshTokenRevocation(SessionRevoker sessions) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<EndSessionOnRefreshTokenRevocation>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        if (context.GenericTokenPrincipal is { } principal
            && principal.HasTokenType(TokenTypeIdentifiers.RefreshToken)
            && principal.GetAuthorizationId() is { Length: > 0 } sessionId)
        {
            await sessions.EndAsync(sessionId, "refresh_token_revoked", principal.GetClaim(Claims.Subject), context.CancellationToken);
        }
    }
}
