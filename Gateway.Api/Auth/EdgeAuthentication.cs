using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.Api.Auth;

/// <summary>
/// Authentication at the edge: the identity service's access tokens (JwtBearer, keys from its
/// JWKS by service discovery, ES256/RS256/PS256 only, <c>typ: at+jwt</c>, issuer, audience and
/// lifetime with 30 s skew), minus revoked sessions. Routes name these policies in configuration.
/// </summary>
internal static class EdgeAuthentication
{
    public const string Authenticated = "authenticated";
    public const string Admin = "admin";
    public const string AdminOrAuditor = "admin-or-auditor";
    public const string TradingRead = "trading-read";
    public const string TradingOrdersRead = "trading-orders-read";
    public const string TradingWrite = "trading-write";

    public static IHostApplicationBuilder AddEdgeAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation("identity", "trading", "gateway");
        builder.AddRevocation();
        builder.AddDPoPProofs();
        builder.Services.AddSingleton<SecurityMetrics>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<RevocationSet, SecurityMetrics>((bearer, revocations, metrics) =>
            {
                bearer.Events.OnAuthenticationFailed = context =>
                {
                    metrics.Denied(SecurityMetrics.ReasonOf(context.Exception));
                    return Task.CompletedTask;
                };
                bearer.Events.OnTokenValidated = context =>
                {
                    if (revocations.IsRevoked(context.Principal?.FindFirst("sid")?.Value))
                    {
                        metrics.Denied("revoked");
                        context.Fail("The session of this token has ended.");
                        return Task.CompletedTask;
                    }

                    return DPoPBinding.CheckAsync(context, metrics);
                };
                bearer.Events.OnChallenge = DPoPBinding.ChallengeAsync;
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Authenticated, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole("admin"))
            .AddPolicy(AdminOrAuditor, policy => policy.RequireAuthenticatedUser().RequireRole("admin", "auditor"))
            .AddPolicy(TradingRead, policy => policy.RequireAssertion(context => Has(context, ["trader"], ["trading:read", "trading:write"])))
            .AddPolicy(TradingOrdersRead, policy => policy.RequireAssertion(context => Has(context, ["trader", "auditor"], ["trading:read"])))
            .AddPolicy(TradingWrite, policy => policy.RequireAssertion(context => Has(context, ["trader"], ["trading:write"])));
        return builder;
    }

    private static bool Has(AuthorizationHandlerContext context, string[] roles, string[] scopes)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        // A user is judged by role (an auditor's token also carries trading:read, yet an auditor
        // has no trading account); scopes decide only for clients, whose tokens carry no role.
        return user.HasClaim(c => c.Type == "role")
            ? roles.Any(user.IsInRole)
            : user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Any(scopes.Contains);
    }
}
