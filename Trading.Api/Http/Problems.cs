using Microsoft.AspNetCore.Http.HttpResults;

namespace Trading.Api.Http;

/// <summary>The problem documents this API answers with (RFC 9457), each with a stable <c>code</c>.</summary>
internal static class Problems
{
    private const string TypeBase = "https://aspire-gateway.dev/problems/";

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) => TypedResults.Problem(
        new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Type = TypeBase + "validation",
            Title = "The request is not valid",
            Detail = "One or more fields are invalid; see errors.",
            Extensions = { ["code"] = "validation_failed" },
        });

    public static ProblemHttpResult Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Unprocessable(string code, string title, string detail) =>
        Make(StatusCodes.Status422UnprocessableEntity, code, title, detail);

    public static ProblemHttpResult BadRequest(string code, string detail) =>
        Make(StatusCodes.Status400BadRequest, code, "Bad request", detail);

    public static ProblemHttpResult NotFound(string detail) =>
        Make(StatusCodes.Status404NotFound, "not_found", "Not found", detail);

    public static ProblemHttpResult Conflict(string code, string detail) =>
        Make(StatusCodes.Status409Conflict, code, "Conflict", detail);

    public static ProblemHttpResult Make(int status, string code, string title, string detail) => TypedResults.Problem(
        statusCode: status, type: TypeBase + code, title: title, detail: detail,
        extensions: new Dictionary<string, object?> { ["code"] = code });
}
