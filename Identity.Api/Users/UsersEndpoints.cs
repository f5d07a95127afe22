using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Identity.Api.Users;

internal static class UsersEndpoints
{
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddAuthorization();
        return builder;
    }

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapGet("/me", Me).RequireAuthorization();
        return group;
    }

    private static Ok<MeResponse> Me(HttpContext context) =>
        TypedResults.Ok(new MeResponse(context.User.FindFirst("sub")?.Value ?? string.Empty));
}

internal sealed record MeResponse(string UserId);
