using System.Diagnostics.Metrics;

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

    public void Denied(EdgeDenialReason reason) => _denials.Add(1, new KeyValuePair<string, object?>("reason", EdgeDenial.Code(reason)));

    public void RevocationApplied() => _revocations.Add(1);
}
