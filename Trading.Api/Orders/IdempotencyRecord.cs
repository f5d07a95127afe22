namespace Trading.Api.Orders;

/// <summary>
/// The durable half of idempotency: the first response to a caller's key, kept even
/// if the cache is flushed. The primary key (owner, key) makes a second order for a key impossible.
/// </summary>
internal sealed class IdempotencyRecord
{
    public required string OwnerId { get; set; }

    public required string Key { get; set; }

    public required string Fingerprint { get; set; }

    public int StatusCode { get; set; }

    public required string ContentType { get; set; }

    public required string Body { get; set; }

    public string? Location { get; set; }

    public DateTime CreatedAt { get; set; }
}
