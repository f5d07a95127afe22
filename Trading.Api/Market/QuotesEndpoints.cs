using Microsoft.AspNetCore.Http.HttpResults;
using Trading.Api.Auth;

namespace Trading.Api.Market;

internal static class QuotesEndpoints
{
    public static IHostApplicationBuilder AddMarket(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MarketOptions>().BindConfiguration(MarketOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SimulatedMarket>();
        return builder;
    }

    public static RouteGroupBuilder MapQuotes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/trading/quotes").WithTags("Trading").RequireAuthorization(TradingPolicies.OwnAccount);
        group.MapGet("/{symbol}", Get).WithSummary("The current simulated quote of an instrument.");
        return group;
    }

    internal static Results<Ok<QuoteResponse>, ProblemHttpResult> Get(string symbol, SimulatedMarket market)
    {
        var instrument = Instruments.Find(symbol);
        if (instrument is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown symbol",
                detail: $"No instrument is listed under this symbol. Listed: {string.Join(", ", Instruments.BySymbol.Keys)}.");
        }

        var quote = market.Current(instrument);
        return TypedResults.Ok(new QuoteResponse(quote.Symbol, quote.Bid, quote.Ask, quote.Last, quote.Timestamp));
    }
}

internal sealed record QuoteResponse(string Symbol, decimal Bid, decimal Ask, decimal Last, DateTimeOffset Timestamp);
