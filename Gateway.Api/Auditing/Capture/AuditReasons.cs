using Gateway.Api.Auth;

namespace Gateway.Api.Auditing;

/// <summary>
/// Outcome and reason of a request from the status the client got: 1xx–3xx <c>allowed</c>,
/// 4xx <c>denied</c> (the request was refused, by the gateway or the service behind it), 5xx and a
/// closed connection <c>error</c> (the system failed). Reasons are fixed codes, never messages.
/// </summary>
internal static class AuditReasons
{
    public static string OutcomeOf(int status) => status switch
    {
        StatusCodes.Status499ClientClosedRequest or >= 500 => AuditOutcomes.Error,
        >= 400 => AuditOutcomes.Denied,
        _ => AuditOutcomes.Allowed,
    };

    /// <summary>The reason of a response: the edge's own refusal where it made one, else the status's.</summary>
    public static string? For(int status, EdgeDenial? denial) => status switch
    {
        StatusCodes.Status401Unauthorized => ForUnauthenticated(denial),
        StatusCodes.Status503ServiceUnavailable when denial?.Reason == EdgeDenialReason.DPoPReplayUnchecked => "dpop_replay_unchecked",
        _ => ForStatus(status),
    };

    private static string? ForStatus(int status) => status switch
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

    /// <summary>Why a 401 was given: the edge's own refusal when there is one, else the service's.</summary>
    private static string ForUnauthenticated(EdgeDenial? denial) => denial?.Reason switch
    {
        null => "unauthenticated",
        EdgeDenialReason.Missing => "token_missing",
        EdgeDenialReason.Expired => "token_expired",
        EdgeDenialReason.Revoked => "token_revoked",
        EdgeDenialReason.DPoPProof or EdgeDenialReason.DPoPBoundTokenAsBearer => "dpop_proof_invalid",
        _ => "token_invalid",
    };
}
