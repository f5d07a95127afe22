using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Api.Hardening;

/// <summary>
/// Writes a problem document for an answer the gateway makes itself. It goes through
/// <see cref="IProblemDetailsService"/> (so type and traceId are filled in as everywhere else) and,
/// when no writer accepts the request's <c>Accept</c> header, as JSON anyway: a client that asks
/// for HTML still gets the RFC 9457 body, never an empty error or a 500.
/// </summary>
internal static class EdgeProblems
{
    public static async Task WriteAsync(HttpContext context, int status, string detail, string? title = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title ?? ReasonPhrases.GetReasonPhrase(status), Detail = detail };
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await TypedResults.Problem(problem).ExecuteAsync(context);
        }
    }
}
