using Microsoft.AspNetCore.Authorization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The authorization rule every service applies to access tokens: a user is judged by role (an
/// auditor's token also carries <c>trading:read</c>, yet an auditor has no trading account);
/// scopes decide only for client-credentials callers, whose tokens carry no role.
/// </summary>
public static class RoleOrScope
{
    /// <summary>A policy requirement admitting users with one of <paramref name="roles"/> or clients with one of <paramref name="scopes"/>.</summary>
    public static AuthorizationPolicyBuilder RequireRoleOrScope(this AuthorizationPolicyBuilder policy, string[] roles, string[] scopes) =>
        policy.RequireAssertion(context => Allows(context, roles, scopes));

    public static bool Allows(AuthorizationHandlerContext context, string[] roles, string[] scopes)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        return user.HasClaim(claim => claim.Type == "role")
            ? roles.Any(user.IsInRole)
            : user.FindAll("scope").SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Any(scopes.Contains);
    }
}
