using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Trading.Api.Accounts;

internal static class AccountsEndpoints
{
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization();
        return builder;
    }

    public static RouteGroupBuilder MapAccounts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/trading/accounts").WithTags("Accounts").RequireAuthorization();
        group.MapGet("/", List);
        return group;
    }

    private static Ok<AccountsResponse> List() => TypedResults.Ok(new AccountsResponse([]));
}

internal sealed record AccountsResponse(IReadOnlyList<object> Accounts);
