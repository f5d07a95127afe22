using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// RFC 9457 problem documents with the fields promised on every error: <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c> and <c>traceId</c>. A query-string or route value that cannot bind
/// (<c>?limit=abc</c>, an id that is not one) is a 400 naming the parameter, in every environment.
/// </summary>
public static class ProblemExtensions
{
    public static IServiceCollection AddStandardProblemDetails(this IServiceCollection services)
    {
        // Left to the framework, a bind failure is an empty 400 in Production and an exception
        // (a 500 behind UseExceptionHandler) in Development. Thrown everywhere, it reaches the
        // exception handler with its own status and a message that names the parameter.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<ExceptionHandlerOptions>(options =>
        {
            options.StatusCodeSelector = exception =>
                exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            // A client's mistake is not a failure of the service: no error log for it.
            options.SuppressDiagnosticsCallback = context =>
                context.Exception is BadHttpRequestException || context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService;
        });
        return services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Status = status;
            problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
            problem.Type ??= $"https://httpstatuses.io/{status}";
            problem.Detail ??= BindFailure(context.Exception) ?? DefaultDetail(status, context.HttpContext);
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
    }

    // Never an exception message in general: it can name internals. The framework's bind failures
    // ("Failed to bind parameter "int? limit" from "abc"") are written for the caller and name
    // the parameter; a failure with an inner exception (a JSON body) names a type, so it gets the default.
    private static string? BindFailure(Exception? exception) =>
        exception is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest, InnerException: null } bad ? bad.Message : null;

    private static string DefaultDetail(int status, HttpContext context) => status switch
    {
        StatusCodes.Status404NotFound => "No resource exists at this path.",
        StatusCodes.Status405MethodNotAllowed => $"The method {context.Request.Method} is not allowed on this path.",
        StatusCodes.Status401Unauthorized => "A valid bearer access token is required.",
        StatusCodes.Status403Forbidden => "The access token does not grant this operation.",
        >= 500 => "The service could not complete the request. It has been recorded; retry later.",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };
}
