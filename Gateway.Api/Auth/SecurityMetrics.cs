using System.Diagnostics.Metrics;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Api.Auth;

/// <summary>
/// "Are we under attack?" at a glance (meter <c>AspireGateway.Security</c>): authentication
/// denials at the edge by reason, and session revocations this replica applied. Reasons are a
/// fixed set; a token, a user or an address never becomes a tag.
/// </summary>
internal sealed class SecurityMetrics
{
    public const string MeterName = TelemetryExtensions.SourcePrefix + "Security";

    private readonly Counter<long> _denials;
    private readonly Counter<long> _revocations;

    public SecurityMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _denials = meter.CreateCounter<long>("gateway.auth.denials", "{request}", "Requests refused at the edge for their token, by reason.");
        _revocations = meter.CreateCounter<long>("gateway.revocations.applied", "{session}", "Ended sessions this replica learned of (channel or reconcile).");
    }

    public void Denied(string reason) => _denials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RevocationApplied() => _revocations.Add(1);

    public static string ReasonOf(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not_yet_valid",
        SecurityTokenSignatureKeyNotFoundException => "unknown_key",
        SecurityTokenInvalidSignatureException => "bad_signature",
        SecurityTokenInvalidAudienceException => "wrong_audience",
        SecurityTokenInvalidIssuerException => "wrong_issuer",
        SecurityTokenInvalidTypeException => "wrong_type",
        SecurityTokenInvalidAlgorithmException => "bad_algorithm",
        _ => "invalid",
    };
}
