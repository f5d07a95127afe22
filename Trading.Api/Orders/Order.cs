namespace Trading.Api.Orders;

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
