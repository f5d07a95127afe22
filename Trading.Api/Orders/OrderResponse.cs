using Trading.Api.Data;

namespace Trading.Api.Orders;

internal sealed record OrderResponse(
    Guid OrderId,
    Guid AccountId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    decimal Quantity,
    decimal? LimitPrice,
    OrderStatus Status,
    decimal FilledQuantity,
    decimal? AverageFillPrice,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt)
{
    public static OrderResponse From(Order order) => new(
        order.Id, order.AccountId, order.Symbol, order.Side, order.Type, order.TimeInForce, order.Quantity, order.LimitPrice,
        order.Status, order.FilledQuantity, order.AverageFillPrice,
        new DateTimeOffset(order.CreatedAt, TimeSpan.Zero), new DateTimeOffset(order.UpdatedAt, TimeSpan.Zero),
        order.ExpiresAt is { } expires ? new DateTimeOffset(expires, TimeSpan.Zero) : null);
}

internal sealed record OrdersPage(IReadOnlyList<OrderResponse> Orders, string? NextCursor);
