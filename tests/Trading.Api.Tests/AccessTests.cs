using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

public sealed class AccessTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task ANewTraderHasOneFundedPaperAccountWithAMaskedNumber()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        var account = await client.AccountAsync();

        Assert.Matches(@"^\*\*\*\*\d{4}$", account.AccountNumber);
        Assert.Equal("USD", account.Currency);
        Assert.Equal(100_000.00m, account.CashBalance);
        Assert.Equal(account.AccountId, (await client.AccountAsync()).AccountId);
    }

    [Fact]
    public async Task RequestsWithoutATokenAre401WithABearerChallenge()
    {
        using var client = fixture.Client();

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("/api/v1/trading/accounts")]
    [InlineData("/api/v1/trading/portfolio")]
    [InlineData("/api/v1/trading/quotes/AAPL")]
    public async Task AnAuditorCannotUseTraderOnlyRoutesEvenWithTheReadScope(string path)
    {
        using var client = fixture.Client(fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["auditor"], scopes: ["trading:read", "audit:read"]));

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnAdminWithoutTheTraderRoleIsForbidden()
    {
        using var client = fixture.Client(fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["admin"]));

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AClientWithOnlyTheReadScopeReadsButCannotPlaceOrders()
    {
        using var client = fixture.Client(fixture.Tokens.Mint("partner-client", scopes: ["trading:read"]));

        var account = await client.AccountAsync();
        using var order = await client.PlaceAsync(TradingApi.Market(account.AccountId, "buy", 1));

        Assert.Equal(HttpStatusCode.Forbidden, order.StatusCode);
    }

    [Fact]
    public async Task QuotesAreDeterministicAndMoveWithTheClock()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        var first = await client.GetFromJsonAsync<QuoteBody>(new Uri("/api/v1/trading/quotes/AAPL", UriKind.Relative), TradingApi.Json);
        var again = await client.GetFromJsonAsync<QuoteBody>(new Uri("/api/v1/trading/quotes/aapl", UriKind.Relative), TradingApi.Json);
        fixture.Clock.Advance(TimeSpan.FromMinutes(7));
        var later = await client.GetFromJsonAsync<QuoteBody>(new Uri("/api/v1/trading/quotes/AAPL", UriKind.Relative), TradingApi.Json);

        Assert.Equal(first, again);
        Assert.True(first!.Bid < first.Ask);
        Assert.NotEqual(first.Last, later!.Last);
        Assert.True(later.Timestamp > first.Timestamp);
    }

    [Fact]
    public async Task AnUnknownSymbolQuoteIs404Problem()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        using var response = await client.GetAsync(new Uri("/api/v1/trading/quotes/NOPE", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
