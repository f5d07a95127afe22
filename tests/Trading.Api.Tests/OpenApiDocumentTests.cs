using System.Text.Json;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

public sealed class OpenApiDocumentTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task PlacingAnOrderDeclaresTheRequiredIdempotencyKeyHeader()
    {
        using var document = JsonDocument.Parse(await DocumentAsync());

        var placeOrder = document.RootElement.GetProperty("paths").GetProperty("/api/v1/trading/orders").GetProperty("post");
        var key = Assert.Single(placeOrder.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Equal("header", key.GetProperty("in").GetString());
        Assert.True(key.GetProperty("required").GetBoolean());
        var schema = key.GetProperty("schema");
        Assert.Equal("string", schema.GetProperty("type").GetString());
        Assert.Equal(1, schema.GetProperty("minLength").GetInt32());
        Assert.Equal(255, schema.GetProperty("maxLength").GetInt32());
        Assert.Matches(schema.GetProperty("pattern").GetString()!, "order-2026-01-31 #1");
        Assert.DoesNotMatch(schema.GetProperty("pattern").GetString()!, "tab\there");
    }

    [Fact]
    public async Task NoDescriptionInTheDocumentRefersToADocumentOutsideIt()
    {
        Assert.Empty(OpenApiText.OutsideReferences(await DocumentAsync()));
    }

    private async Task<string> DocumentAsync()
    {
        using var client = fixture.Client();
        return await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
    }
}
