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
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information,
        Message = "Security event {EventType}: {Outcome} ({Reason}) user {UserId} client {ClientId} session {SessionId} from {ClientIp}")]
    private static partial void Log(ILogger logger, string eventType, string outcome, string? reason, string? userId, string? clientId, string? sessionId, string? clientIp);
}

internal static class Outcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}
