using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Api.Auditing;

/// <summary>
/// Outcome and reason of a request from the status the client got: 1xx–3xx <c>allowed</c>,
/// 4xx <c>denied</c> (the request was refused, by the gateway or the service behind it), 5xx and a
/// closed connection <c>error</c> (the system failed). Reasons are fixed codes, never messages.
/// </summary>
internal static class AuditReasons
{
    // The message Gateway.Api.Auth sets when a token's session was revoked.
    private const string RevokedSessionMessage = "The session of this token has ended.";

    public static string OutcomeOf(int status) => status switch
    {
        StatusCodes.Status499ClientClosedRequest or >= 500 => AuditOutcomes.Error,
        >= 400 => AuditOutcomes.Denied,
        _ => AuditOutcomes.Allowed,
    };

    public static string? ForStatus(int status) => status switch
    {
        < 400 => null,
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "payload_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status422UnprocessableEntity => "validation_failed",
        StatusCodes.Status423Locked => "locked",
        StatusCodes.Status429TooManyRequests => "rate_limited",
        StatusCodes.Status499ClientClosedRequest => "client_closed_request",
        StatusCodes.Status500InternalServerError => "internal_error",
        StatusCodes.Status502BadGateway => "upstream_error",
        StatusCodes.Status503ServiceUnavailable => "upstream_unavailable",
        StatusCodes.Status504GatewayTimeout => "upstream_timeout",
        >= 500 => "server_error",
        _ => "client_error",
    };

    /// <summary>Why a 401 was given, as far as the bearer handler knows.</summary>
    public static string ForTokenFailure(AuthenticateResult result) => result switch
    {
        { Succeeded: true } => "unauthenticated",
        { Failure: null } => "token_missing",
        { Failure: SecurityTokenExpiredException } => "token_expired",
        { Failure.Message: RevokedSessionMessage } => "token_revoked",
        _ => "token_invalid",
    };
}
