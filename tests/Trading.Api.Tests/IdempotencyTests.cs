using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireGateway.Tests;
using StackExchange.Redis;

namespace Trading.Api.Tests;

public sealed class IdempotencyTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task AnOrderWithoutIdempotencyKeyIs400()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceRawAsync(JsonSerializer.Serialize(TradingApi.Market(account.AccountId, "buy", 1), TradingApi.Json), key: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).CashBalance);
    }

    [Fact]
    public async Task TheSameKeyAndBodyReplaysTheOriginalResponseAndPlacesNothingNew()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var order = TradingApi.Market(account.AccountId, "buy", 2);

        using var first = await client.PlaceAsync(order, "replay-1");
        fixture.Clock.Advance(TimeSpan.FromMinutes(3)); // the market moved: a second fill would cost another price
        using var second = await client.PlaceAsync(order, "replay-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(100_000.00m - (2 * (await first.ReadOrderAsync()).AverageFillPrice!.Value), (await client.AccountAsync()).CashBalance);
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIs422()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var first = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1), "reused");
        using var second = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 3), "reused");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal("idempotency_key_reused", (await second.ReadProblemAsync()).Code);
    }

    [Fact]
    public async Task ARejectionIsReplayedToo()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        var order = TradingApi.Market(account.AccountId, "buy", 5000);

        using var first = await client.PlaceAsync(order, "too-big");
        using var second = await client.PlaceAsync(order, "too-big");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task KeysAreScopedToTheCaller()
    {
        using var alice = fixture.Client(fixture.Tokens.Trader());
        using var bob = fixture.Client(fixture.Tokens.Trader());

        using var fromAlice = await alice.PlaceAsync(TradingApi.Market((await alice.AccountAsync()).AccountId, "buy", 1), "shared-key");
        using var fromBob = await bob.PlaceAsync(TradingApi.Market((await bob.AccountAsync()).AccountId, "buy", 1), "shared-key");

        Assert.Equal(HttpStatusCode.Created, fromBob.StatusCode);
        Assert.False(fromBob.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual((await fromAlice.ReadOrderAsync()).OrderId, (await fromBob.ReadOrderAsync()).OrderId);
    }

    [Fact]
    public async Task AKeyStillInFlightElsewhereIs409()
    {
        var subject = TestTokenIssuer.NewSubject();
        using var client = fixture.Client(fixture.Tokens.Trader(subject));
        var account = await client.AccountAsync();
        var order = TradingApi.Market(account.AccountId, "buy", 1);
        using var probe = await client.PlaceAsync(order, "probe");
        var stored = await RawEntryAsync(subject, "probe");
        // Another replica has claimed "busy" for this very body and is still working on it.
        var inFlight = stored.Replace("\"InFlight\":false", "\"InFlight\":true", StringComparison.Ordinal);
        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        await cache.GetDatabase().StringSetAsync($"idem:trading:{subject}:busy", inFlight, TimeSpan.FromSeconds(30));

        using var response = await client.PlaceAsync(order, "busy");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task AReplayAfterTheCacheLostTheKeyStillPlacesNoSecondOrder()
    {
        var subject = TestTokenIssuer.NewSubject();
        using var client = fixture.Client(fixture.Tokens.Trader(subject));
        var account = await client.AccountAsync();
        var order = TradingApi.Market(account.AccountId, "buy", 4);
        using var first = await client.PlaceAsync(order, "durable");
        await using (var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString))
        {
            Assert.True(await cache.GetDatabase().KeyDeleteAsync($"idem:trading:{subject}:durable"));
        }

        using var replay = await client.PlaceAsync(order, "durable");
        var orders = await client.GetFromJsonAsync<OrdersPageBody>(new Uri("/api/v1/trading/orders", UriKind.Relative), TradingApi.Json);

        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Single(orders!.Orders);
    }

    private async Task<string> RawEntryAsync(string subject, string key)
    {
        await using var cache = await ConnectionMultiplexer.ConnectAsync(fixture.Cache.ConnectionString);
        return (await cache.GetDatabase().StringGetAsync($"idem:trading:{subject}:{key}")).ToString();
    }
}
