using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;
using Trading.Api.Market;

namespace Trading.Api.Tests;

public sealed class OrdersTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    private Quote CurrentQuote(string symbol = "AAPL") => fixture.Get<SimulatedMarket>().Current(Instruments.Find(symbol)!);

    [Fact]
    public async Task AMarketBuyFillsAtTheAskAndDebitsExactlyItsCost()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var ask = CurrentQuote().Ask;

        using var response = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 10));
        var order = await response.ReadOrderAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("filled", order.Status);
        Assert.Equal(10m, order.FilledQuantity);
        Assert.Equal(ask, order.AverageFillPrice);
        Assert.Equal(100_000.00m - (10 * ask), (await client.AccountAsync()).CashBalance);
        Assert.Equal($"/api/v1/trading/orders/{order.OrderId}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ABuyCostingMoreThanTheCashIs422InsufficientFunds()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1000));
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("insufficient_funds", problem.Code);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).CashBalance);
    }

    [Fact]
    public async Task SellingMoreThanThePositionIs422InsufficientPositionAndASellWithinItPaysTheBid()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        (await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 5))).Dispose();

        using var tooMany = await client.PlaceAsync(TradingApi.Market(account.AccountId, "sell", 6));
        var cashBefore = (await client.AccountAsync()).CashBalance;
        var bid = CurrentQuote().Bid;
        using var withinPosition = await client.PlaceAsync(TradingApi.Market(account.AccountId, "sell", 5));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Equal("insufficient_position", (await tooMany.ReadProblemAsync()).Code);
        Assert.Equal(HttpStatusCode.Created, withinPosition.StatusCode);
        Assert.Equal(cashBefore + (5 * bid), (await client.AccountAsync()).CashBalance);
    }

    [Fact]
    public async Task ALimitBuyRestsHoldingItsCashAndFillsWhenTheQuoteCrosses()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var market = fixture.Get<SimulatedMarket>();
        var aapl = Instruments.Find("AAPL")!;
        var limit = CurrentQuote().Ask - 1.00m;
        var crossing = Enumerable.Range(1, 7200).Select(s => fixture.Clock.GetUtcNow().AddSeconds(s))
            .Select(t => market.At(aapl, t)).First(q => q.Ask <= limit);

        using var placed = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 10, limit));
        var resting = await placed.ReadOrderAsync();
        var held = await client.AccountAsync();
        fixture.Clock.SetUtcNow(crossing.Timestamp);
        await fixture.Get<Trading.Api.Orders.OrderMatcher>().RunOnceAsync(CancellationToken.None);
        var filled = await client.GetFromJsonAsync<OrderBody>(new Uri($"/api/v1/trading/orders/{resting.OrderId}", UriKind.Relative), TradingApi.Json);

        Assert.Equal("new", resting.Status);
        Assert.Equal(100_000.00m - (10 * limit), held.AvailableCash);
        Assert.Equal(100_000.00m, held.CashBalance);
        Assert.Equal("filled", filled!.Status);
        Assert.Equal(crossing.Ask, filled.AverageFillPrice);
        var after = await client.AccountAsync();
        Assert.Equal(100_000.00m - (10 * crossing.Ask), after.CashBalance);
        Assert.Equal(after.CashBalance, after.AvailableCash);
    }

    [Fact]
    public async Task ALimitOrderLargerThanTheQuotedSizeIsPartiallyFilled()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var quote = CurrentQuote("BTC-USD");
        var quantity = quote.AskSize + 0.25m;
        var limit = quote.Ask + 5000m;

        using var response = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", quantity, limit, symbol: "BTC-USD"));
        var order = await response.ReadOrderAsync();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("partially_filled", order.Status);
        Assert.Equal(quote.AskSize, order.FilledQuantity);
    }

    [Fact]
    public async Task AnIocLimitThatDoesNotCrossIsCancelledAndReleasesItsCash()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 10, CurrentQuote().Bid - 5m, "ioc"));

        Assert.Equal("cancelled", (await response.ReadOrderAsync()).Status);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).AvailableCash);
    }

    [Fact]
    public async Task ADayOrderExpiresAtTheEndOfItsUtcDay()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        using var placed = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 1, 1.00m, "day"));
        var order = await placed.ReadOrderAsync();

        fixture.Clock.SetUtcNow(fixture.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1).AddSeconds(1));
        await fixture.Get<Trading.Api.Orders.OrderMatcher>().RunOnceAsync(CancellationToken.None);

        var expired = await client.GetFromJsonAsync<OrderBody>(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative), TradingApi.Json);
        Assert.Equal("expired", expired!.Status);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).AvailableCash);
    }

    [Fact]
    public async Task CancellingAnOpenOrderReleasesItsCashAndCancellingAgainIs409()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        using var placed = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 2, 1.00m));
        var order = await placed.ReadOrderAsync();

        using var cancelled = await client.DeleteAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));
        using var again = await client.DeleteAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await cancelled.ReadOrderAsync()).Status);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).AvailableCash);
    }

    [Fact]
    public async Task CancellingAFilledOrderIs409()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        using var placed = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1));

        using var response = await client.DeleteAsync(new Uri($"/api/v1/trading/orders/{(await placed.ReadOrderAsync()).OrderId}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task ATraderCannotSeeCancelOrTradeOnAnotherTradersOrdersOrAccount()
    {
        using var owner = fixture.Client(fixture.Tokens.Trader());
        using var intruder = fixture.Client(fixture.Tokens.Trader());
        var ownerAccount = await owner.AccountAsync();
        using var placed = await owner.PlaceAsync(TradingApi.Limit(ownerAccount.AccountId, "buy", 1, 1.00m));
        var order = await placed.ReadOrderAsync();

        using var read = await intruder.GetAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));
        using var cancel = await intruder.DeleteAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));
        using var trade = await intruder.PlaceAsync(TradingApi.Market(ownerAccount.AccountId, "buy", 1));
        var list = await intruder.GetFromJsonAsync<OrdersPageBody>(new Uri("/api/v1/trading/orders", UriKind.Relative), TradingApi.Json);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, trade.StatusCode);
        Assert.Contains("account_id", (await trade.ReadProblemAsync()).Errors!.Keys);
        Assert.DoesNotContain(list!.Orders, o => o.OrderId == order.OrderId);
        Assert.Equal(100_000.00m - 1.00m, (await owner.AccountAsync()).AvailableCash);
    }

    [Fact]
    public async Task AnAuditorReadsEveryonesOrdersButCannotPlaceOrCancel()
    {
        using var trader = fixture.Client(fixture.Tokens.Trader());
        using var auditor = fixture.Client(fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["auditor"]));
        var account = await trader.AccountAsync();
        using var placed = await trader.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 1, 1.00m));
        var order = await placed.ReadOrderAsync();

        using var read = await auditor.GetAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));
        using var cancel = await auditor.DeleteAsync(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative));
        using var place = await auditor.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, place.StatusCode);
    }

    [Fact]
    public async Task OrdersListNewestFirstInPagesFollowingTheCursor()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var placed = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 1, 1.00m + i));
            placed.Add((await response.ReadOrderAsync()).OrderId);
        }

        var first = await client.GetFromJsonAsync<OrdersPageBody>(new Uri("/api/v1/trading/orders?limit=3", UriKind.Relative), TradingApi.Json);
        var second = await client.GetFromJsonAsync<OrdersPageBody>(new Uri($"/api/v1/trading/orders?limit=3&cursor={Uri.EscapeDataString(first!.NextCursor!)}", UriKind.Relative), TradingApi.Json);
        using var tooBig = await client.GetAsync(new Uri("/api/v1/trading/orders?limit=101", UriKind.Relative));

        placed.Reverse();
        Assert.Equal(placed, first.Orders.Concat(second!.Orders).Select(o => o.OrderId));
        Assert.Null(second.NextCursor);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
    }

    [Fact]
    public async Task ThePortfolioShowsPositionsMarkedToTheBidAndCash()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var ask = CurrentQuote("MSFT").Ask;
        (await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 3, "MSFT"))).Dispose();

        var portfolio = await client.GetFromJsonAsync<PortfolioBody>(new Uri("/api/v1/trading/portfolio", UriKind.Relative), TradingApi.Json);

        var position = Assert.Single(portfolio!.Positions);
        Assert.Equal("MSFT", position.Symbol);
        Assert.Equal(3m, position.Quantity);
        Assert.Equal(ask, position.AveragePrice);
        Assert.Equal(3 * CurrentQuote("MSFT").Bid, position.MarketValue);
        Assert.Equal(100_000.00m - (3 * ask), portfolio.Cash);
    }
}
