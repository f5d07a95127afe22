using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;
using Trading.Api.Market;
using Trading.Api.Orders;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Trading.Api.Tests;

/// <summary>
/// Two Trading.Api instances on one database and one cache, as two replicas are: nothing they
/// share in memory (each has its own account locks and its own matcher), so only the database's
/// concurrency tokens stand between them and a lost update.
/// </summary>
public sealed class ReplicaTests(TradingFixture fixture, ITestOutputHelper output) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task FortyBuysReleasedTogetherAtTwoReplicasLeaveTheBalanceExactlyAtTheSumOfTheFills()
    {
        await using var second = fixture.WithCache(fixture.Cache.ConnectionString);
        var token = fixture.Tokens.Trader();
        using var first = fixture.Client(token);
        using var other = TradingFixture.Client(second, token);
        var account = await first.AccountAsync();

        // 40 × 25 AAPL is about twice the starting cash: roughly half must be refused.
        var responses = await Together.RunAsync(40, index => (index % 2 == 0 ? first : other).PlaceAsync(TradingApi.Market(account.AccountId, "buy", 25)));

        var fills = new List<decimal>();
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Created)
            {
                fills.Add(25 * (await response.ReadOrderAsync()).AverageFillPrice!.Value);
            }
            else
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
                Assert.Equal("insufficient_funds", (await response.ReadProblemAsync()).Code);
            }

            response.Dispose();
        }

        var after = await other.AccountAsync();
        var portfolio = await first.GetFromJsonAsync<PortfolioBody>(new Uri("/api/v1/trading/portfolio", UriKind.Relative), TradingApi.Json);
        output.WriteLine($"{fills.Count} filled, {40 - fills.Count} refused, cash left {after.CashBalance} ({fixture.Database.Kind})");
        Assert.InRange(fills.Count, 1, 39);
        Assert.Equal(100_000.00m - fills.Sum(), after.CashBalance);
        Assert.Equal(25m * fills.Count, Assert.Single(portfolio!.Positions).Quantity);
    }

    [Fact]
    public async Task TwoReplicasMatchingTheSameRestingLimitOrdersAtOnceFillEachOnce()
    {
        await using var second = fixture.WithCache(fixture.Cache.ConnectionString);
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var market = fixture.Get<SimulatedMarket>();
        var msft = Instruments.Find("MSFT")!;
        // The limit is the first lower ask the market will quote: the orders rest now and cross then.
        var now = fixture.Clock.GetUtcNow();
        var ask = market.At(msft, now).Ask;
        var crossing = Enumerable.Range(1, 7200).Select(s => market.At(msft, now.AddSeconds(s))).First(q => q.Ask < ask);
        var limit = crossing.Ask;
        var resting = new List<OrderBody>();
        for (var i = 0; i < 5; i++)
        {
            using var placed = await client.PlaceAsync(TradingApi.Limit(account.AccountId, "buy", 2, limit, symbol: "MSFT"));
            resting.Add(await placed.ReadOrderAsync());
        }

        // Each replica's matcher takes the same order at the same moment, five times over.
        fixture.Clock.SetUtcNow(crossing.Timestamp);
        foreach (var order in resting)
        {
            await Together.RunAsync(MatchAsync(fixture.Service, order.OrderId), MatchAsync(second, order.OrderId));
        }

        var after = await client.AccountAsync();
        var portfolio = await client.GetFromJsonAsync<PortfolioBody>(new Uri("/api/v1/trading/portfolio", UriKind.Relative), TradingApi.Json);
        foreach (var order in resting)
        {
            var filled = await client.GetFromJsonAsync<OrderBody>(new Uri($"/api/v1/trading/orders/{order.OrderId}", UriKind.Relative), TradingApi.Json);
            Assert.Equal("filled", filled!.Status);
            Assert.Equal(2m, filled.FilledQuantity);
        }

        Assert.Equal(10m, Assert.Single(portfolio!.Positions).Quantity);
        Assert.Equal(100_000.00m - (10 * crossing.Ask), after.CashBalance);
        Assert.Equal(after.CashBalance, after.AvailableCash);
    }

    private static Func<Task> MatchAsync(ServiceFactory<Program> replica, Guid orderId) => async () =>
    {
        await using var scope = replica.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OrderBook>().MatchAsync(orderId, CancellationToken.None);
    };
}
