using Microsoft.EntityFrameworkCore;
using Trading.Api.Accounts;
using Trading.Api.Data;
using Trading.Api.Market;
using Trading.Api.Portfolio;

namespace Trading.Api.Orders;

internal enum Rejection { None, AccountNotOwned, InsufficientFunds, InsufficientPosition }

/// <summary>
/// Places, cancels and fills orders. Each operation reads the account, applies the
/// <see cref="Ledger"/> and saves in one transaction guarded by concurrency tokens; a conflicting
/// writer (another replica, the matcher) makes it re-read and re-decide, so no update is lost and
/// no cash is spent twice.
/// </summary>
internal sealed class OrderBook(TradingDbContext db, SimulatedMarket market, AccountLocks locks, TimeProvider time)
{
    private const int MaxAttempts = 20;

    public async Task<(Order? Order, Rejection Rejection)> PlaceAsync(
        string ownerId, ValidOrder request, string idempotencyKey, Func<Order, IdempotencyRecord> record, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(request.AccountId, cancellationToken);
        return await WithRetriesAsync<(Order?, Rejection)>(async () =>
        {
            var account = await db.Accounts.SingleOrDefaultAsync(a => a.Id == request.AccountId && a.OwnerId == ownerId, cancellationToken);
            if (account is null)
            {
                return (null, Rejection.AccountNotOwned);
            }

            var position = await db.Positions.SingleOrDefaultAsync(p => p.AccountId == account.Id && p.Symbol == request.Instrument.Symbol, cancellationToken);
            var quote = market.Current(request.Instrument);
            var rejection = Check(request, account, position, quote);
            if (rejection != Rejection.None)
            {
                return (null, rejection);
            }

            var now = time.GetUtcNow().UtcDateTime;
            var order = new Order
            {
                Id = Guid.NewGuid(),
                AccountId = account.Id,
                OwnerId = ownerId,
                Symbol = request.Instrument.Symbol,
                Side = request.Side,
                Type = request.Type,
                TimeInForce = request.TimeInForce,
                Quantity = request.Quantity,
                LimitPrice = request.LimitPrice,
                Status = OrderStatus.New,
                CreatedAt = now,
                UpdatedAt = now,
                ExpiresAt = request.TimeInForce == TimeInForce.Day ? now.Date.AddDays(1) : null,
                IdempotencyKey = idempotencyKey,
            };
            position ??= db.Positions.Add(new Position { AccountId = account.Id, Symbol = order.Symbol }).Entity;
            db.Orders.Add(order);
            Execute(order, account, position, quote, now);
            account.Version++;
            db.IdempotencyRecords.Add(record(order));
            await db.SaveChangesAsync(cancellationToken);
            return (order, Rejection.None);
        });
    }

    /// <summary>Cancels an open order; null when the order is not the owner's, else whether it was open.</summary>
    public async Task<(Order Order, bool Cancelled)?> CancelAsync(string ownerId, Guid orderId, CancellationToken cancellationToken)
    {
        var accountId = await db.Orders.Where(o => o.Id == orderId && o.OwnerId == ownerId).Select(o => (Guid?)o.AccountId).SingleOrDefaultAsync(cancellationToken);
        if (accountId is null)
        {
            return null;
        }

        using var held = await locks.AcquireAsync(accountId.Value, cancellationToken);
        return await WithRetriesAsync<(Order, bool)?>(async () =>
        {
            var order = await db.Orders.SingleAsync(o => o.Id == orderId, cancellationToken);
            if (!order.IsOpen)
            {
                return (order, false);
            }

            await CloseAsync(order, OrderStatus.Cancelled, cancellationToken);
            return (order, true);
        });
    }

    /// <summary>One matcher pass over an open order: expire it, fill what the quote allows, or leave it.</summary>
    public async Task MatchAsync(Guid orderId, CancellationToken cancellationToken)
    {
        var accountId = await db.Orders.Where(o => o.Id == orderId).Select(o => o.AccountId).SingleAsync(cancellationToken);
        using var held = await locks.AcquireAsync(accountId, cancellationToken);
        await WithRetriesAsync(async () =>
        {
            var order = await db.Orders.SingleAsync(o => o.Id == orderId, cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            if (!order.IsOpen)
            {
                return 0;
            }

            if (order.ExpiresAt <= now)
            {
                await CloseAsync(order, OrderStatus.Expired, cancellationToken);
                return 0;
            }

            var quote = market.Current(Instruments.Find(order.Symbol)!);
            if (Ledger.Crossing(order, quote) is null)
            {
                return 0;
            }

            var account = await db.Accounts.SingleAsync(a => a.Id == order.AccountId, cancellationToken);
            var position = await db.Positions.SingleAsync(p => p.AccountId == order.AccountId && p.Symbol == order.Symbol, cancellationToken);
            Fill(order, account, position, quote, now);
            account.Version++;
            order.Version++;
            await db.SaveChangesAsync(cancellationToken);
            return 0;
        });
    }

    private static Rejection Check(ValidOrder request, Account account, Position? position, Quote quote) => request.Side switch
    {
        OrderSide.Buy when Ledger.AvailableCash(account) < Ledger.CostOf(request.Quantity, request.LimitPrice ?? quote.Ask) => Rejection.InsufficientFunds,
        OrderSide.Sell when Ledger.AvailableQuantity(position) < request.Quantity => Rejection.InsufficientPosition,
        _ => Rejection.None,
    };

    /// <summary>
    /// A new order meets the market: a market order fills in full at the quote (the simulated
    /// book has depth for it); a limit order takes what the quote offers at or better than its
    /// limit, holds cash or quantity for the rest, and an IOC order cancels that rest at once.
    /// </summary>
    private static void Execute(Order order, Account account, Position position, Quote quote, DateTime now)
    {
        if (order.Type == OrderType.Market)
        {
            var (price, _) = Ledger.Crossing(order, quote)!.Value;
            Ledger.Fill(order, account, position, order.Quantity, price, reserved: false, now);
            return;
        }

        Ledger.Reserve(order, account, position);
        Fill(order, account, position, quote, now);
        if (order.IsOpen && order.TimeInForce == TimeInForce.Ioc)
        {
            Ledger.Release(order, account, position, wasReserved: true);
            order.Status = OrderStatus.Cancelled;
        }
    }

    private static void Fill(Order order, Account account, Position position, Quote quote, DateTime now)
    {
        if (Ledger.Crossing(order, quote) is { } offer)
        {
            Ledger.Fill(order, account, position, Math.Min(order.RemainingQuantity, offer.Size), offer.Price, reserved: true, now);
        }
    }

    private async Task CloseAsync(Order order, OrderStatus status, CancellationToken cancellationToken)
    {
        var account = await db.Accounts.SingleAsync(a => a.Id == order.AccountId, cancellationToken);
        var position = await db.Positions.SingleOrDefaultAsync(p => p.AccountId == order.AccountId && p.Symbol == order.Symbol, cancellationToken);
        Ledger.Release(order, account, position, wasReserved: order.Type == OrderType.Limit);
        order.Status = status;
        order.UpdatedAt = time.GetUtcNow().UtcDateTime;
        order.Version++;
        account.Version++;
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> operation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts && (ex.IsWriteConflict() || IsPositionCreatedMeanwhile(ex)))
            {
                // Someone else (another replica, the matcher) changed the account or order first, or
                // opened the same position: forget what we read and decide again.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static bool IsPositionCreatedMeanwhile(DbUpdateException exception) =>
        exception.IsUniqueViolation() && exception.Entries.Any(entry => entry is { Entity: Position, State: EntityState.Added });
}
