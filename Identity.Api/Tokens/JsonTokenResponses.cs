using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Identity.Api.Tokens;

/// <summary>The problem a JSON route answers with, kept on the OpenIddict transaction until the response.</summary>
internal sealed record JsonProblem(int Status, string Detail, IDictionary<string, string[]>? Errors = null)
{
    private const string Property = "identity:json_problem";

    public static void Reject(BaseValidatingContext context, int status, string detail, IDictionary<string, string[]>? errors = null)
    {
        context.Transaction.SetProperty(Property, new JsonProblem(status, detail, errors));
        context.Reject(status >= 500 ? OpenIddictConstants.Errors.ServerError : OpenIddictConstants.Errors.InvalidRequest, detail);
    }

    public static JsonProblem? Find(OpenIddictServerTransaction transaction) => transaction.GetProperty<JsonProblem>(Property);
}

/// <summary>
/// Gives the JSON routes their contract: token responses as OpenIddict writes them (201 for
/// register), errors as RFC 9457 problems, and one generic 401 for every credential failure.
/// The OAuth endpoint keeps the RFC 6749 error form.
/// </summary>
internal sealed class WriteJsonRouteResponse(IProblemDetailsService problems) : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public const string InvalidCredentials = "The email or password is incorrect.";
    public const string InvalidRefreshToken = "The refresh token is invalid, expired or revoked.";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .AddFilter<RequireJsonRoute<ApplyTokenResponseContext>>()
            .UseSingletonHandler<WriteJsonRouteResponse>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachCacheControlHeader<ApplyTokenResponseContext>.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        var http = context.Transaction.GetHttpRequest()!.HttpContext;
        var route = JsonRoutes.Match(http.Request.Path);
        if (string.IsNullOrEmpty(context.Response.Error))
        {
            if (route == JsonRoutes.Register)
            {
                http.Response.StatusCode = StatusCodes.Status201Created;
            }

            return;
        }

        var problem = JsonProblem.Find(context.Transaction) ?? FromOAuthError(route, context.Response.Error);
        http.Response.StatusCode = problem.Status;
        var details = problem.Errors is null
            ? new ProblemDetails { Status = problem.Status, Detail = problem.Detail }
            : new HttpValidationProblemDetails(problem.Errors) { Status = problem.Status, Detail = problem.Detail };
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details });
        context.HandleRequest();
    }

    private static JsonProblem FromOAuthError(string? route, string error) => error switch
    {
        // Every credential or token failure is the same 401, whatever the cause (unknown email,
        // wrong password, lockout, disabled account, reused or revoked refresh token).
        Errors.InvalidGrant or Errors.InvalidToken or Errors.InvalidClient or Errors.AccessDenied =>
            new(StatusCodes.Status401Unauthorized, route == JsonRoutes.Refresh ? InvalidRefreshToken : InvalidCredentials),
        Errors.ServerError => new(StatusCodes.Status500InternalServerError, "The service could not complete the request."),
        Errors.TemporarilyUnavailable => new(StatusCodes.Status503ServiceUnavailable, "The service is temporarily unavailable."),
        _ => new(StatusCodes.Status400BadRequest, "The request is invalid."),
    };
}

/// <summary>
/// OpenIddict answers every token error it does not know with 400; <c>temporarily_unavailable</c>
/// (a check the service could not make right now) is not the client's error, so the OAuth token
/// endpoint answers it with 503, as the JSON routes do.
/// </summary>
internal sealed class TemporarilyUnavailableIs503 : IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<TemporarilyUnavailableIs503>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyTokenResponseContext>.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        if (context.Response.Error == Errors.TemporarilyUnavailable)
        {
            context.Transaction.GetHttpRequest()!.HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return ValueTask.CompletedTask;
    }
}
