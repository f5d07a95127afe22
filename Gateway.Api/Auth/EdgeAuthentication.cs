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
            .Configure<RevocationSet>((bearer, revocations) =>
            {
                bearer.Events.OnAuthenticationFailed = context =>
                {
                    EdgeDenial.Record(context.HttpContext, EdgeDenial.ReasonOf(context.Exception));
                    return Task.CompletedTask;
                };
                bearer.Events.OnTokenValidated = context =>
                {
                    if (revocations.IsRevoked(context.Principal?.FindFirst("sid")?.Value))
                    {
                        EdgeDenial.Record(context.HttpContext, EdgeDenialReason.Revoked);
                        context.Fail("The session of this token has ended.");
                        return Task.CompletedTask;
                    }

                    return DPoPBinding.CheckAsync(context);
                };
                bearer.Events.OnChallenge = DPoPBinding.ChallengeAsync;
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Authenticated, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole("admin"))
            .AddPolicy(AdminOrAuditor, policy => policy.RequireAuthenticatedUser().RequireRole("admin", "auditor"))
            .AddPolicy(TradingRead, policy => policy.RequireRoleOrScope(["trader"], ["trading:read", "trading:write"]))
            .AddPolicy(TradingOrdersRead, policy => policy.RequireRoleOrScope(["trader", "auditor"], ["trading:read"]))
            .AddPolicy(TradingWrite, policy => policy.RequireRoleOrScope(["trader"], ["trading:write"]));
        return builder;
    }
}
