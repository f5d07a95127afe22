using System.Net.Http.Json;
using System.Text.Json;

namespace Trading.Api.Tests;

/// <summary>What a REST client sends and reads, spelled as the public API spells it.</summary>
internal static class TradingApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<AccountBody> AccountAsync(this HttpClient client)
    {
        var accounts = await client.GetFromJsonAsync<AccountsBody>(new Uri("/api/v1/trading/accounts", UriKind.Relative), Json);
        return Assert.Single(accounts!.Accounts);
    }

    public static Task<HttpResponseMessage> PlaceAsync(this HttpClient client, object order, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders") { Content = JsonContent.Create(order, options: Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PlaceRawAsync(this HttpClient client, string body, string contentType = "application/json", string? key = "k")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, contentType),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return client.SendAsync(request);
    }

    public static async Task<OrderBody> ReadOrderAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<OrderBody>(Json))!;

    public static async Task<ProblemBody> ReadProblemAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemBody>(Json))!;

    public static object Market(Guid accountId, string side, decimal quantity, string symbol = "AAPL") =>
        new { account_id = accountId, symbol, side, type = "market", quantity, time_in_force = "day" };

    public static object Limit(Guid accountId, string side, decimal quantity, decimal limitPrice, string timeInForce = "gtc", string symbol = "AAPL") =>
        new { account_id = accountId, symbol, side, type = "limit", quantity, limit_price = limitPrice, time_in_force = timeInForce };
}

internal sealed record AccountsBody(List<AccountBody> Accounts);

internal sealed record AccountBody(Guid AccountId, string AccountNumber, string Currency, decimal CashBalance, decimal AvailableCash);

internal sealed record OrderBody(Guid OrderId, Guid AccountId, string Symbol, string Side, string Type, string TimeInForce, decimal Quantity,
    decimal? LimitPrice, string Status, decimal FilledQuantity, decimal? AverageFillPrice, DateTimeOffset CreatedAt);

internal sealed record OrdersPageBody(List<OrderBody> Orders, string? NextCursor);

internal sealed record QuoteBody(string Symbol, decimal Bid, decimal Ask, decimal Last, DateTimeOffset Timestamp);

internal sealed record PositionBody(string Symbol, decimal Quantity, decimal AveragePrice, decimal MarketValue);

internal sealed record PortfolioBody(Guid AccountId, decimal Cash, decimal AvailableCash, List<PositionBody> Positions);

internal sealed record ProblemBody(string Type, string Title, int Status, string Detail, string TraceId, string? Code, Dictionary<string, string[]>? Errors);
