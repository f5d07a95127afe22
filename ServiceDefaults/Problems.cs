using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// RFC 9457 problem documents with the fields CONTRACT §1 promises on every error:
/// <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c> and <c>traceId</c>.
/// </summary>
public static class ProblemExtensions
{
    public static IServiceCollection AddStandardProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Status = status;
            problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
            problem.Type ??= $"https://httpstatuses.io/{status}";
            // Never the exception message: it can name internals. The title is a safe default.
            problem.Detail ??= DefaultDetail(status, context.HttpContext);
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });

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
