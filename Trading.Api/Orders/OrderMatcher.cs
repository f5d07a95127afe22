using Microsoft.EntityFrameworkCore;
using Trading.Api.Data;

namespace Trading.Api.Orders;

/// <summary>
/// Re-checks every open order against the moving market on a timer (through
/// <see cref="TimeProvider"/>): fills limit orders whose quote crosses, expires day orders at the
/// end of their UTC day.
/// </summary>
internal sealed partial class OrderMatcher(IServiceScopeFactory scopes, TimeProvider time, Microsoft.Extensions.Options.IOptions<MatcherOptions> options, ILogger<OrderMatcher> logger)
    : BackgroundService
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var book = scope.ServiceProvider.GetRequiredService<OrderBook>();
        var open = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.New || o.Status == OrderStatus.PartiallyFilled)
            .OrderBy(o => o.Sequence)
            .Select(o => o.Id)
            .ToListAsync(cancellationToken);
        foreach (var orderId in open)
        {
            db.ChangeTracker.Clear();
            await book.MatchAsync(orderId, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A matcher pass failed; open orders are re-checked on the next tick")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
