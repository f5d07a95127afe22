namespace Identity.Api.Sessions;

/// <summary>
/// A session id still to be published to the cache (<see cref="RevocationProtocol"/>). Written before
/// the session is revoked and deleted once the cache took it, so a cache outage or a crash in
/// between cannot lose the publication; <see cref="RevocationRepublisher"/> retries what is left.
/// </summary>
internal sealed class PendingRevocation
{
    public long Id { get; set; }

    public required string SessionId { get; set; }

    /// <summary>
    /// When the session's last access token expires, plus <see cref="RevocationProtocol.TtlMargin"/>:
    /// the cache key lives until then, and past it there is nothing left to reject.
    /// </summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
