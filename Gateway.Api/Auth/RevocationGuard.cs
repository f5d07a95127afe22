using Gateway.Api.Hardening;

namespace Gateway.Api.Auth;

/// <summary>
/// Fails closed for writes: when the revocation set cannot be trusted (cache unreachable and the
/// last reconcile too old), an authenticated request that changes state is refused with 503,
/// because a session that ended meanwhile could not be recognized. Reads keep flowing.
/// </summary>
internal static class RevocationGuard
{
    public static IApplicationBuilder UseRevocation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var method = context.Request.Method;
        var changesState = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (changesState
            && context.User.Identity?.IsAuthenticated == true
            && !context.RequestServices.GetRequiredService<RevocationSet>().IsCurrent)
        {
            context.Response.Headers.RetryAfter = "5";
            await EdgeProblems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                "Session revocations cannot be confirmed right now, so changes are refused; retry shortly.");
            return;
        }

        await next(context);
    });
}
