using Identity.Api.Events;
using Identity.Api.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;

namespace Identity.Api.Sessions;

internal static class SessionsExtensions
{
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SessionRevoker>();
        builder.Services.AddScoped<RevocationPublisher>();
        builder.Services.AddOptions<RevocationOptions>().BindConfiguration(RevocationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<RevocationRepublisher>();
        builder.Services.AddOpenIddict().AddServer(server => server
            .AddEventHandler(EndSessionOnRefreshTokenReuse.Descriptor)
            .AddEventHandler(RedeemRefreshTokenOnce.Descriptor)
            .AddEventHandler(EndSessionOnRefreshTokenRevocation.Descriptor));
        return builder;
    }

    public static RouteGroupBuilder MapSessions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth").WithTags("Auth").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/logout", LogoutAsync).WithName("Logout");
        return group;
    }

    /// <summary>Ends the caller's session everywhere: its access and refresh tokens are rejected from now on.</summary>
    public static async Task<NoContent> LogoutAsync(HttpContext context, SessionRevoker sessions, SecurityEvents events)
    {
        var userId = context.User.GetClaim(OpenIddictConstants.Claims.Subject);
        if (context.User.GetClaim(TokenPrincipals.SessionIdClaim) is { Length: > 0 } sessionId)
        {
            await sessions.EndAsync(sessionId, "logout", userId, context.RequestAborted);
        }

        await events.RecordAsync(SecurityEventTypes.Logout, Outcomes.Success, userId,
            context.User.GetClaim(OpenIddictConstants.Claims.ClientId), context.User.GetClaim(TokenPrincipals.SessionIdClaim),
            cancellationToken: context.RequestAborted);
        return TypedResults.NoContent();
    }
}
