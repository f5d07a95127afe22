using Identity.Api.Events;
using Identity.Api.Users;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Tokens;

/// <summary>
/// The passthrough handler behind every OpenIddict token endpoint URI (<c>/connect/token</c> and
/// the JSON login/refresh routes). OpenIddict has already authenticated the client, checked its
/// permissions and, for refresh, validated the refresh token; this decides who the tokens are for.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<Results<SignInHttpResult, ForbidHttpResult>> ExchangeAsync(
        HttpContext context, Credentials credentials, TokenPrincipals principals, UserManager<User> users,
        IOpenIddictApplicationManager applications, SecurityEvents events)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict request is missing: is passthrough enabled?");
        var cancellationToken = context.RequestAborted;

        if (request.IsClientCredentialsGrantType())
        {
            // No scope asked for: every scope the client is allowed (OpenIddict already refused any other).
            var scopes = request.GetScopes();
            if (scopes.IsEmpty && await applications.FindByClientIdAsync(request.ClientId!, cancellationToken) is { } application)
            {
                scopes = [.. (await applications.GetPermissionsAsync(application, cancellationToken))
                    .Where(permission => permission.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                    .Select(permission => permission[Permissions.Prefixes.Scope.Length..])];
            }

            var principal = TokenPrincipals.ForClient(request.ClientId!, scopes);
            await events.RecordAsync(SecurityEventTypes.ClientTokenIssued, Outcomes.Success, clientId: request.ClientId, cancellationToken: cancellationToken);
            return SignIn(principal);
        }

        if (request.IsPasswordGrantType())
        {
            var user = await credentials.CheckAsync(request.Username!, request.Password!, request.ClientId!, cancellationToken);
            if (user is null)
            {
                return Reject(Errors.InvalidGrant, WriteJsonRouteResponse.InvalidCredentials);
            }

            var principal = await principals.NewSessionAsync(user, request.ClientId!, request.GetScopes(), cancellationToken);
            await events.RecordAsync(SecurityEventTypes.LoginSucceeded, Outcomes.Success, user.Id, request.ClientId, principal.GetAuthorizationId(), cancellationToken: cancellationToken);
            return SignIn(principal);
        }

        if (request.IsRefreshTokenGrantType())
        {
            var refreshed = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var user = refreshed?.GetClaim(Claims.Subject) is { } userId ? await users.FindByIdAsync(userId) : null;
            // A lockout from failed logins blocks new password logins only: a stranger's wrong
            // passwords must not end the owner's sessions. An administrator's lock does.
            if (refreshed is null || user is null || !user.IsActive)
            {
                await events.RecordAsync(SecurityEventTypes.RefreshFailed, Outcomes.Failure, user?.Id, request.ClientId, refreshed?.GetAuthorizationId(), "account_unavailable", cancellationToken);
                return Reject(Errors.InvalidGrant, WriteJsonRouteResponse.InvalidRefreshToken);
            }

            var principal = await principals.ContinueSessionAsync(user, refreshed);
            await events.RecordAsync(SecurityEventTypes.Refreshed, Outcomes.Success, user.Id, request.ClientId, principal.GetAuthorizationId(), cancellationToken: cancellationToken);
            return SignIn(principal);
        }

        return Reject(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    public static SignInHttpResult SignIn(System.Security.Claims.ClaimsPrincipal principal) =>
        TypedResults.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private static ForbidHttpResult Reject(string error, string description) => TypedResults.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
