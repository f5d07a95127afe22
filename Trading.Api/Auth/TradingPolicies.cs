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
            .AddPolicy(OwnAccount, policy => policy.RequireRoleOrScope([Caller.Trader], [Caller.ReadScope, Caller.WriteScope]))
            .AddPolicy(ReadOrders, policy => policy.RequireRoleOrScope([Caller.Trader, Caller.Auditor], [Caller.ReadScope]))
            .AddPolicy(Write, policy => policy.RequireRoleOrScope([Caller.Trader], [Caller.WriteScope]));
        return builder;
    }
}
