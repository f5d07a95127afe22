namespace Trading.Api.Market;

/// <summary>
/// A tradable instrument. Prices are multiples of <see cref="TickSize"/>; quantities are multiples
/// of <see cref="LotSize"/>, with at most <see cref="QuantityDecimals"/> decimals, up to <see cref="MaxQuantity"/>.
/// </summary>
internal sealed record Instrument(
    string Symbol,
    decimal TickSize,
    decimal LotSize,
    int QuantityDecimals,
    decimal MaxQuantity,
    decimal BasePrice,
    decimal TypicalSize);

internal static class Instruments
{
    public static readonly IReadOnlyDictionary<string, Instrument> BySymbol = new Instrument[]
    {
        new("AAPL", 0.01m, 1m, 0, 10_000m, 190.00m, 500m),
        new("MSFT", 0.01m, 1m, 0, 10_000m, 420.00m, 400m),
        new("GOOGL", 0.01m, 1m, 0, 10_000m, 170.00m, 600m),
        new("AMZN", 0.01m, 1m, 0, 10_000m, 185.00m, 500m),
        new("TSLA", 0.01m, 1m, 0, 10_000m, 240.00m, 800m),
        new("BTC-USD", 0.01m, 0.0001m, 4, 100m, 65_000.00m, 0.5m),
    }.ToDictionary(i => i.Symbol, StringComparer.Ordinal);

    public static Instrument? Find(string? symbol) =>
        symbol is not null && BySymbol.TryGetValue(symbol.ToUpperInvariant(), out var instrument) ? instrument : null;
}
