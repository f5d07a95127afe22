using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Trading.Api.Accounts;
using Trading.Api.Auth;
using Trading.Api.Data;
using Trading.Api.Market;
using Trading.Api.Orders;

namespace Trading.Api.Portfolio;

internal static class PortfolioEndpoints
{
    public static RouteGroupBuilder MapPortfolio(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/trading/portfolio").WithTags("Trading").RequireAuthorization(TradingPolicies.OwnAccount);
        group.MapGet("/", GetAsync).WithSummary("Positions marked to the current bid, and cash.");
        return group;
    }

    internal static async Task<Ok<PortfolioResponse>> GetAsync(
        HttpContext context, AccountProvisioner provisioner, TradingDbContext db, SimulatedMarket market, CancellationToken cancellationToken)
    {
        var account = await provisioner.EnsureAccountAsync(Caller.From(context.User).Id, cancellationToken);
        var positions = await db.Positions.AsNoTracking().Where(p => p.AccountId == account.Id).ToListAsync(cancellationToken);
        var lines = positions
            .Where(p => p.Quantity != 0)
            .OrderBy(p => p.Symbol, StringComparer.Ordinal)
            .Select(p => new PositionResponse(p.Symbol, p.Quantity, p.AveragePrice,
                Ledger.ProceedsOf(p.Quantity, market.Current(Instruments.Find(p.Symbol)!).Bid)))
            .ToList();
        return TypedResults.Ok(new PortfolioResponse(account.Id, account.Currency, account.Cash, Ledger.AvailableCash(account),
            lines, account.Cash + lines.Sum(l => l.MarketValue)));
    }
}

internal sealed record PositionResponse(string Symbol, decimal Quantity, decimal AveragePrice, decimal MarketValue);

internal sealed record PortfolioResponse(Guid AccountId, string Currency, decimal Cash, decimal AvailableCash, IReadOnlyList<PositionResponse> Positions, decimal TotalValue);
