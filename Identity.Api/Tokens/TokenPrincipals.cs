using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using Identity.Api.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Tokens;

/// <summary>
/// Builds the claims OpenIddict turns into tokens. Access tokens carry only ids, roles and scopes:
/// <c>sub</c>, <c>role</c>, <c>sid</c> (plus what OpenIddict adds: iss, aud, exp, iat, jti,
/// client_id, scope). No email or other personal data.
/// </summary>
internal sealed class TokenPrincipals(
    UserManager<User> users,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations)
{
    public const string SessionIdClaim = "sid";

    /// <summary>A user principal in a new session (an OpenIddict ad-hoc authorization).</summary>
    public async Task<ClaimsPrincipal> NewSessionAsync(User user, string clientId, IEnumerable<string> requestedScopes, CancellationToken cancellationToken)
    {
        var principal = await ForUserAsync(user, requestedScopes);
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw new InvalidOperationException($"The client {clientId} is not registered.");
        var authorization = await authorizations.CreateAsync(
            principal,
            subject: user.Id,
            client: (await applications.GetIdAsync(application, cancellationToken))!,
            type: AuthorizationTypes.AdHoc,
            scopes: principal.GetScopes(),
            cancellationToken);
        var sessionId = (await authorizations.GetIdAsync(authorization, cancellationToken))!;
        return WithSession(principal, sessionId);
    }

    /// <summary>A user principal continuing the session of a refresh token, with the user's current roles.</summary>
    public async Task<ClaimsPrincipal> ContinueSessionAsync(User user, ClaimsPrincipal refreshed)
    {
        var principal = await ForUserAsync(user, refreshed.GetScopes());
        var sessionId = refreshed.GetAuthorizationId()
            ?? throw new InvalidOperationException("A refresh token without a session cannot be redeemed.");
        return WithSession(principal, sessionId);
    }

    /// <summary>A client_credentials principal: the client is its own subject; audiences follow the scopes.</summary>
    public static ClaimsPrincipal ForClient(string clientId, IEnumerable<string> scopes)
    {
        var granted = scopes.Where(ApiScopes.All.Contains).Distinct(StringComparer.Ordinal).ToImmutableArray();
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetScopes(granted);
        identity.SetResources(granted.Select(ApiScopes.AudienceOf).Distinct(StringComparer.Ordinal));
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private async Task<ClaimsPrincipal> ForUserAsync(User user, IEnumerable<string> requestedScopes)
    {
        var roles = (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal).ToImmutableArray();
        var allowed = ApiScopes.AllowedFor(roles).ToList();
        var requested = requestedScopes.Where(ApiScopes.All.Contains).ToList();
        var scopes = (requested.Count > 0 ? requested.Intersect(allowed) : allowed).Append(Scopes.OfflineAccess);

        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id);
        // Always a JSON array, even for one role, so consumers never meet two shapes.
        identity.AddClaim(new Claim(Claims.Role, JsonSerializer.Serialize(roles), JsonClaimValueTypes.JsonArray));
        identity.SetScopes(scopes);
        identity.SetResources(ApiScopes.UserAudiences);
        return new ClaimsPrincipal(identity);
    }

    private static ClaimsPrincipal WithSession(ClaimsPrincipal principal, string sessionId)
    {
        principal.SetAuthorizationId(sessionId);
        principal.SetClaim(SessionIdClaim, sessionId);
        principal.SetDestinations(static _ => [Destinations.AccessToken]);
        return principal;
    }

    private static ClaimsIdentity NewIdentity() => new(
        authenticationType: "identity",
        nameType: Claims.Name,
        roleType: Claims.Role);
}
