namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How the identity service tells the gateway that a session ended, through the shared cache;
/// defined once here for the publisher (Identity.Api) and the subscriber (Gateway.Api).
/// For every ended session id <c>sid</c>:
/// <list type="number">
/// <item><c>SET revoked:sid:{sid} 1 PX {access-token lifetime + 60 s}</c>: a late joiner (a gateway
/// replica that starts, or one that missed the notice) finds the key while a token of that session
/// can still be alive; after the TTL every such token has expired on its own.</item>
/// <item><c>PUBLISH revocations {sid}</c>: replicas that keep a local set learn it at once.</item>
/// </list>
/// A publication the cache missed (an outage) is retried from the identity service's outbox with the
/// TTL that remains, so the key still expires when the session's last token does.
/// </summary>
public static class RevocationProtocol
{
    /// <summary>Prefix of the per-session key; the value is always <c>1</c>.</summary>
    public const string KeyPrefix = "revoked:sid:";

    /// <summary>The pub/sub channel; each message is a bare session id.</summary>
    public const string Channel = "revocations";

    /// <summary>Added to the access-token lifetime for the key's TTL, to cover clock skew.</summary>
    public static readonly TimeSpan TtlMargin = TimeSpan.FromSeconds(60);

    public static string Key(string sessionId) => KeyPrefix + sessionId;
}
