namespace Gateway.Api.Auditing;

/// <summary>
/// What happened, before it has a place in the log: built by the capture middleware or the
/// identity-events puller, queued, possibly spilled to disk, and given its leaf index when it is
/// committed. <c>KeyThumbprint</c> is the RFC 7638 thumbprint of the DPoP key a bound token was used with.
/// Never a token, password, secret, query string or body.
/// </summary>
internal sealed record AuditEntry(
    DateTime Time,
    string Source,
    string Event,
    string? RequestId,
    string? TraceId,
    string Actor,
    string? ClientId,
    string? ClientIp,
    string? Method,
    string? Route,
    string? Path,
    int? Status,
    string Outcome,
    string? Reason,
    long? LatencyMicros,
    string? SessionId,
    long? SourceEventId,
    string? KeyThumbprint = null);
