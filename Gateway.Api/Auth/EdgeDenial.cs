using Microsoft.IdentityModel.Tokens;

namespace Gateway.Api.Auth;

/// <summary>Why the edge refused a request's credentials: a fixed set, named by the code that refuses.</summary>
internal enum EdgeDenialReason
{
    Missing,
    Expired,
    NotYetValid,
    UnknownKey,
    BadSignature,
    WrongAudience,
    WrongIssuer,
    WrongType,
    BadAlgorithm,
    Revoked,
    DPoPProof,
    DPoPReplayUnchecked,
    DPoPBoundTokenAsBearer,
    Invalid,
}

/// <summary>
/// The request feature that carries the refusal: set once where the request is refused, read by
/// the audit trail and counted in <see cref="SecurityMetrics"/>, so no one re-derives it from a message.
/// </summary>
internal sealed record EdgeDenial(EdgeDenialReason Reason)
{
    public static void Record(HttpContext context, EdgeDenialReason reason)
    {
        if (context.Features.Get<EdgeDenial>() is not null)
        {
            return; // the first refusal is the reason; a challenge that follows it adds nothing
        }

        context.Features.Set(new EdgeDenial(reason));
        context.RequestServices.GetRequiredService<SecurityMetrics>().Denied(reason);
    }

    public static EdgeDenialReason ReasonOf(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => EdgeDenialReason.Expired,
        SecurityTokenNotYetValidException => EdgeDenialReason.NotYetValid,
        SecurityTokenSignatureKeyNotFoundException => EdgeDenialReason.UnknownKey,
        SecurityTokenInvalidSignatureException => EdgeDenialReason.BadSignature,
        SecurityTokenInvalidAudienceException => EdgeDenialReason.WrongAudience,
        SecurityTokenInvalidIssuerException => EdgeDenialReason.WrongIssuer,
        SecurityTokenInvalidTypeException => EdgeDenialReason.WrongType,
        SecurityTokenInvalidAlgorithmException => EdgeDenialReason.BadAlgorithm,
        _ => EdgeDenialReason.Invalid,
    };

    /// <summary>The reason as a metric tag and audit code: snake_case.</summary>
    public static string Code(EdgeDenialReason reason) => reason switch
    {
        EdgeDenialReason.NotYetValid => "not_yet_valid",
        EdgeDenialReason.UnknownKey => "unknown_key",
        EdgeDenialReason.BadSignature => "bad_signature",
        EdgeDenialReason.WrongAudience => "wrong_audience",
        EdgeDenialReason.WrongIssuer => "wrong_issuer",
        EdgeDenialReason.WrongType => "wrong_type",
        EdgeDenialReason.BadAlgorithm => "bad_algorithm",
        EdgeDenialReason.DPoPProof => "dpop_proof",
        EdgeDenialReason.DPoPReplayUnchecked => "dpop_replay_unchecked",
        EdgeDenialReason.DPoPBoundTokenAsBearer => "dpop_bound_token_as_bearer",
        _ => reason.ToString().ToLowerInvariant(),
    };
}
