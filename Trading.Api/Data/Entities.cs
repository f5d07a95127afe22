namespace Trading.Api.Data;

/// <summary>A paper-trading cash account. Cash that open buy orders hold is <see cref="ReservedCash"/>.</summary>
internal sealed class Account
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    /// <summary>AES-256-GCM ciphertext with its key id; see <c>AccountNumberProtector</c>.</summary>
    public required string AccountNumberCipher { get; set; }

    public required string Currency { get; set; }

    public decimal Cash { get; set; }

    public decimal ReservedCash { get; set; }

    /// <summary>Optimistic concurrency token: every balance change increments it.</summary>
    public long Version { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class Position
{
    public Guid AccountId { get; set; }

    public required string Symbol { get; set; }

    public decimal Quantity { get; set; }

    /// <summary>Quantity held by open sell orders.</summary>
    public decimal ReservedQuantity { get; set; }

    public decimal AveragePrice { get; set; }
}

internal enum OrderSide { Buy, Sell }

internal enum OrderType { Market, Limit }

internal enum TimeInForce { Day, Gtc, Ioc }

internal enum OrderStatus { New, PartiallyFilled, Filled, Cancelled, Rejected, Expired }

internal sealed class Order
{
    /// <summary>Insertion order: newest first is descending <see cref="Sequence"/>; also the page cursor.</summary>
    public long Sequence { get; set; }

    public Guid Id { get; set; }

    public Guid AccountId { get; set; }

    public required string OwnerId { get; set; }

    public required string Symbol { get; set; }

    public OrderSide Side { get; set; }

    public OrderType Type { get; set; }

    public TimeInForce TimeInForce { get; set; }

    public decimal Quantity { get; set; }

    public decimal? LimitPrice { get; set; }

    public decimal FilledQuantity { get; set; }

    public decimal? AverageFillPrice { get; set; }

    public OrderStatus Status { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public required string IdempotencyKey { get; set; }

    /// <summary>Cash this (limit buy) order still holds on its account.</summary>
    public decimal ReservedCash { get; set; }

    /// <summary>Optimistic concurrency token: a fill and a cancel cannot both win.</summary>
    public long Version { get; set; }

    public List<Execution> Executions { get; set; } = [];

    public decimal RemainingQuantity => Quantity - FilledQuantity;

    public bool IsOpen => Status is OrderStatus.New or OrderStatus.PartiallyFilled;
}

internal sealed class Execution
{
    public long Id { get; set; }

    public Guid OrderId { get; set; }

    public decimal Quantity { get; set; }

    public decimal Price { get; set; }

    public DateTime ExecutedAt { get; set; }
}

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
