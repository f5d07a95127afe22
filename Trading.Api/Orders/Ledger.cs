using Trading.Api.Accounts;
using Trading.Api.Data;
using Trading.Api.Market;
using Trading.Api.Portfolio;

namespace Trading.Api.Orders;

/// <summary>
/// Every change to cash, positions and order state, in decimal. Invariants it keeps:
/// <c>0 ≤ ReservedCash ≤ Cash</c> and <c>0 ≤ ReservedQuantity ≤ Quantity</c>. Rounding always
/// favours the book: what a buy costs rounds up to the cent, what a sell pays rounds down.
/// </summary>
internal static class Ledger
{
    public static decimal CostOf(decimal quantity, decimal price) => Math.Round(quantity * price, 2, MidpointRounding.ToPositiveInfinity);

    public static decimal ProceedsOf(decimal quantity, decimal price) => Math.Round(quantity * price, 2, MidpointRounding.ToZero);

    public static decimal AvailableCash(Account account) => account.Cash - account.ReservedCash;

    public static decimal AvailableQuantity(Position? position) => position is null ? 0 : position.Quantity - position.ReservedQuantity;

    /// <summary>Holds what an open order may still need: cash for a limit buy, quantity for a sell.</summary>
    public static void Reserve(Order order, Account account, Position? position)
    {
        if (order.Side == OrderSide.Buy)
        {
            order.ReservedCash = CostOf(order.RemainingQuantity, order.LimitPrice!.Value);
            account.ReservedCash += order.ReservedCash;
        }
        else
        {
            position!.ReservedQuantity += order.RemainingQuantity;
        }
    }

    /// <summary>Returns whatever the order still holds (cancel, expiry, or fully filled).</summary>
    public static void Release(Order order, Account account, Position? position, bool wasReserved)
    {
        account.ReservedCash -= order.ReservedCash;
        order.ReservedCash = 0;
        if (wasReserved && order.Side == OrderSide.Sell && position is not null)
        {
            position.ReservedQuantity -= order.RemainingQuantity;
        }
    }

    /// <summary>Executes <paramref name="quantity"/> of the order at <paramref name="price"/>.</summary>
    public static void Fill(Order order, Account account, Position position, decimal quantity, decimal price, bool reserved, DateTime now)
    {
        if (order.Side == OrderSide.Buy)
        {
            if (reserved)
            {
                // Release the share of the hold that this quantity was reserved at (the limit price).
                var release = quantity == order.RemainingQuantity ? order.ReservedCash : Math.Min(order.ReservedCash, CostOf(quantity, order.LimitPrice!.Value));
                order.ReservedCash -= release;
                account.ReservedCash -= release;
            }

            account.Cash -= CostOf(quantity, price);
            position.AveragePrice = Math.Round(((position.Quantity * position.AveragePrice) + (quantity * price)) / (position.Quantity + quantity), 4);
            position.Quantity += quantity;
        }
        else
        {
            account.Cash += ProceedsOf(quantity, price);
            position.Quantity -= quantity;
            if (reserved)
            {
                position.ReservedQuantity -= quantity;
            }

            if (position.Quantity == 0)
            {
                position.AveragePrice = 0;
            }
        }

        order.AverageFillPrice = Math.Round((((order.AverageFillPrice ?? 0) * order.FilledQuantity) + (quantity * price)) / (order.FilledQuantity + quantity), 4);
        order.FilledQuantity += quantity;
        order.Status = order.RemainingQuantity == 0 ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        order.UpdatedAt = now;
        order.Executions.Add(new Execution { OrderId = order.Id, Quantity = quantity, Price = price, ExecutedAt = now });
    }

    /// <summary>The price and size a quote offers this order now, or null when it does not cross.</summary>
    public static (decimal Price, decimal Size)? Crossing(Order order, Quote quote) => order.Side switch
    {
        OrderSide.Buy when order.Type == OrderType.Market || quote.Ask <= order.LimitPrice => (quote.Ask, quote.AskSize),
        OrderSide.Sell when order.Type == OrderType.Market || quote.Bid >= order.LimitPrice => (quote.Bid, quote.BidSize),
        _ => null,
    };
}
