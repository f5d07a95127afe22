namespace Identity.Api.Events;

/// <summary>
/// One row of the append-only security-event outbox. The audit trail reads it by <see cref="Id"/>
/// (monotonic), so it can resume where it stopped and never loses an event. Never a token,
/// password or secret; the user is named by id only.
/// </summary>
internal sealed class SecurityEvent
{
    public long Id { get; set; }

    public DateTimeOffset Time { get; set; }

    public required string Type { get; set; }

    public string? UserId { get; set; }

    public string? ClientId { get; set; }

    public string? ClientIp { get; set; }

    public string? SessionId { get; set; }

    public required string Outcome { get; set; }

    public string? Reason { get; set; }
}

/// <summary>The event types written to the outbox and the logs.</summary>
internal static class SecurityEventTypes
{
    public const string LoginSucceeded = "login_succeeded";
    public const string LoginFailed = "login_failed";
    public const string LockedOut = "locked_out";
    public const string Registered = "registered";
    public const string Refreshed = "token_refreshed";
    public const string RefreshFailed = "refresh_failed";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string Logout = "logout";
    public const string SessionRevoked = "session_revoked";
    public const string UserLocked = "user_locked";
    public const string UserUnlocked = "user_unlocked";
    public const string RoleChanged = "role_changed";
    public const string ClientTokenIssued = "client_token_issued";
}
