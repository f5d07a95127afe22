using System.Diagnostics.Metrics;
using Identity.Api.Data;

namespace Identity.Api.Events;

/// <summary>
/// Records a security event twice: as a structured log line and as a row in the outbox table,
/// committed before the caller goes on, so the audit trail can pull it without loss.
/// </summary>
internal sealed partial class SecurityEvents(
    IdentityDb db,
    TimeProvider time,
    IHttpContextAccessor http,
    SecurityEventMetrics metrics,
    ILogger<SecurityEvents> logger)
{
    public async Task RecordAsync(
        string type,
        string outcome,
        string? userId = null,
        string? clientId = null,
        string? sessionId = null,
        string? reason = null,
        CancellationToken cancellationToken = default)
    {
        Stage(type, outcome, userId, clientId, sessionId, reason);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds the event to the unit of work the caller is about to save (one write instead of two).</summary>
    public void Stage(string type, string outcome, string? userId = null, string? clientId = null, string? sessionId = null, string? reason = null)
    {
        var clientIp = http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        db.SecurityEvents.Add(new SecurityEvent
        {
            Time = time.GetUtcNow(),
            Type = type,
            Outcome = outcome,
            UserId = userId,
            ClientId = clientId,
            ClientIp = clientIp,
            SessionId = sessionId,
            Reason = reason,
        });
        Log(logger, type, outcome, reason, userId, clientId, sessionId, clientIp);
        metrics.Record(type, outcome);
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information,
        Message = "Security event {EventType}: {Outcome} ({Reason}) user {UserId} client {ClientId} session {SessionId} from {ClientIp}")]
    private static partial void Log(ILogger logger, string eventType, string outcome, string? reason, string? userId, string? clientId, string? sessionId, string? clientIp);
}

/// <summary>
/// Security events as a metric (meter <c>AspireGateway.Identity</c>, <c>identity.security_events</c>
/// by type and outcome): failed logins, lockouts, reuse detected, sessions ended, next to the
/// gateway's denials in the dashboard. Types and outcomes are fixed sets.
/// </summary>
internal sealed class SecurityEventMetrics(IMeterFactory meters)
{
    private readonly Counter<long> _events = meters.Create(TelemetryExtensions.SourcePrefix + "Identity")
        .CreateCounter<long>("identity.security_events", "{event}", "Security events by type and outcome.");

    public void Record(string type, string outcome) =>
        _events.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));
}

internal static class Outcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}
