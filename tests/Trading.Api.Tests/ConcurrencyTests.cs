using System.Net;
using Xunit.Abstractions;

namespace Trading.Api.Tests;

public sealed class ConcurrencyTests(TradingFixture fixture, ITestOutputHelper output) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task FiftyParallelBuysNeverSpendTheSameCashTwice()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        // 50 × 20 AAPL is about twice the starting cash: roughly half must be refused.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 20))));

        var filled = new List<OrderBody>();
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Created)
            {
                filled.Add(await response.ReadOrderAsync());
            }
            else
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
                Assert.Equal("insufficient_funds", (await response.ReadProblemAsync()).Code);
            }

            response.Dispose();
        }

        var after = await client.AccountAsync();
        output.WriteLine($"{filled.Count} filled, {50 - filled.Count} refused, cash left {after.CashBalance}");
        Assert.InRange(filled.Count, 1, 49);
        Assert.True(after.CashBalance >= 0);
        Assert.Equal(100_000.00m - filled.Sum(o => 20 * o.AverageFillPrice!.Value), after.CashBalance);
        Assert.True(after.CashBalance < 20 * filled.Max(o => o.AverageFillPrice!.Value), "a refused order would have fitted");
    }
}
