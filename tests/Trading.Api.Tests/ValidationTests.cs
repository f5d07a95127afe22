using System.Net;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

/// <summary>No input a client can send produces a 5xx, and nothing is placed for it.</summary>
public sealed class ValidationTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    public static TheoryData<string, string, int> Bodies => new()
    {
        { "malformed JSON", "{\"symbol\": \"AAPL\",", 400 },
        { "not an object", "[1, 2, 3]", 400 },
        { "quantity of the wrong type", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":"ten","time_in_force":"day"}""", 400 },
        { "huge number", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":1e400,"time_in_force":"day"}""", 422 },
        { "unknown field", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":1,"time_in_force":"day","stop_price":5}""", 400 },
        { "zero quantity", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":0,"time_in_force":"day"}""", 422 },
        { "negative quantity", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":-5,"time_in_force":"day"}""", 422 },
        { "fractional shares", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":1.5,"time_in_force":"day"}""", 422 },
        { "above the maximum", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":10001,"time_in_force":"day"}""", 422 },
        { "30-decimal price", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"limit","quantity":1,"limit_price":1.123456789012345678901234567890,"time_in_force":"gtc"}""", 422 },
        { "unknown symbol", """{"account_id":"{A}","symbol":"NOPE","side":"buy","type":"market","quantity":1,"time_in_force":"day"}""", 422 },
        { "unknown side", """{"account_id":"{A}","symbol":"AAPL","side":"hold","type":"market","quantity":1,"time_in_force":"day"}""", 422 },
        { "limit without price", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"limit","quantity":1,"time_in_force":"gtc"}""", 422 },
        { "market with price", """{"account_id":"{A}","symbol":"AAPL","side":"buy","type":"market","quantity":1,"limit_price":10,"time_in_force":"day"}""", 422 },
        { "missing account", """{"symbol":"AAPL","side":"buy","type":"market","quantity":1,"time_in_force":"day"}""", 422 },
        { "deeply nested", new string('[', 5000) + new string(']', 5000), 400 },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task InvalidOrdersAreClientErrorsThatPlaceNothing(string what, string body, int status)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceRawAsync(body.Replace("{A}", account.AccountId.ToString(), StringComparison.Ordinal), key: what);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).CashBalance);
    }

    [Fact]
    public async Task AFieldLevelProblemNamesTheField()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 0));
        var problem = await response.ReadProblemAsync();

        Assert.Equal(422, problem.Status);
        Assert.Contains("quantity", problem.Errors!.Keys);
        Assert.False(string.IsNullOrEmpty(problem.TraceId));
    }

    [Theory]
    [InlineData("quantity", "\"type\":\"market\",\"quantity\":1.000000000000000000000000000001")]
    [InlineData("quantity", "\"type\":\"market\",\"quantity\":0.99999999999999999999999999999999")]
    [InlineData("limit_price", "\"type\":\"limit\",\"quantity\":1,\"limit_price\":1.000000000000000000000000000001")]
    [InlineData("limit_price", "\"type\":\"limit\",\"quantity\":1,\"limit_price\":1e-40")]
    public async Task ANumberThatDecimalCannotHoldExactlyIsA422NamingTheField(string field, string fields)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceRawAsync(
            $$"""{"account_id":"{{account.AccountId}}","symbol":"AAPL","side":"buy",{{fields}},"time_in_force":"gtc"}""", key: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal([field], (await response.ReadProblemAsync()).Errors!.Keys);
        Assert.Equal(100_000.00m, (await client.AccountAsync()).CashBalance);
    }

    [Theory]
    [InlineData("1.0000000000000000000000000000")]
    [InlineData("1E0")]
    [InlineData("0.01e2")]
    public async Task AnExactNumberWithTrailingZerosOrAnExponentIsTakenAsWritten(string quantity)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceRawAsync(
            $$"""{"account_id":"{{account.AccountId}}","symbol":"AAPL","side":"buy","type":"market","quantity":{{quantity}},"time_in_force":"day"}""", key: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1m, (await response.ReadOrderAsync()).FilledQuantity);
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs415()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        using var response = await client.PlaceRawAsync("symbol=AAPL", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task AnIdempotencyKeyLongerThan255CharactersIs400()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();

        using var response = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1), new string('k', 256));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AValueThatCannotBindIsA400ProblemNamingTheParameterOnEveryRoute()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var probes = BoundValues.Walk(fixture.Service.Services);

        var failures = await BoundValues.FailuresAsync(probes, _ => client);

        Assert.Contains(probes, probe => probe is { Path: "/api/v1/trading/orders?limit=abc", Typed: true });
        Assert.Contains(probes, probe => probe is { Method: "DELETE", Parameter: "id" });
        Assert.Empty(failures);
    }
}
