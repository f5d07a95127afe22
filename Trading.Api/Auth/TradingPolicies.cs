using Microsoft.AspNetCore.Authorization;

namespace Trading.Api.Auth;

/// <summary>
/// Roles, plus scopes for client-credentials callers:
/// own-account routes need trader or <c>trading:read</c>; reading orders also admits auditors;
/// changes need trader or <c>trading:write</c>. Auditors change nothing.
/// </summary>
internal static class TradingPolicies
{
    public const string OwnAccount = "trading.own-account";
    public const string ReadOrders = "trading.read-orders";
    public const string Write = "trading.write";

    public static IHostApplicationBuilder AddTradingAuth(this IHostApplicationBuilder builder)
    {
        builder.AddTokenValidation("trading");
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OwnAccount, policy => policy.RequireAssertion(context =>
                Has(context, roles: [Caller.Trader], scopes: [Caller.ReadScope, Caller.WriteScope])))
            .AddPolicy(ReadOrders, policy => policy.RequireAssertion(context =>
                Has(context, roles: [Caller.Trader, Caller.Auditor], scopes: [Caller.ReadScope])))
            .AddPolicy(Write, policy => policy.RequireAssertion(context =>
                Has(context, roles: [Caller.Trader], scopes: [Caller.WriteScope])));
        return builder;
    }

    private static bool Has(AuthorizationHandlerContext context, string[] roles, string[] scopes)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        // Users are judged by role (an auditor's token also carries trading:read, yet an auditor has
        // no account); scopes decide only for client-credentials callers, whose tokens carry no role.
        var caller = Caller.From(context.User);
        return caller.Roles.Count > 0 ? roles.Any(caller.Roles.Contains) : scopes.Any(caller.Scopes.Contains);
    }
}
