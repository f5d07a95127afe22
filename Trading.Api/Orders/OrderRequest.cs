using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Trading.Api.Data;
using Trading.Api.Market;

namespace Trading.Api.Orders;

/// <summary>
/// <c>POST /api/v1/trading/orders</c> body. Enumerations arrive as strings so that a
/// wrong value is a field-level 422, not a parse error; unknown fields are refused (400) rather
/// than silently ignored, so a misspelt or unsupported order parameter never changes a trade.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record OrderRequest(
    Guid? AccountId,
    string? Symbol,
    string? Side,
    string? Type,
    decimal? Quantity,
    decimal? LimitPrice,
    string? TimeInForce);

/// <summary>A request that passed validation, with its instrument resolved.</summary>
internal sealed record ValidOrder(Guid AccountId, Instrument Instrument, OrderSide Side, OrderType Type, decimal Quantity, decimal? LimitPrice, TimeInForce TimeInForce)
{
    /// <summary>Same order, same fingerprint, however the JSON was written (field order, 10 vs 10.0).</summary>
    public string Fingerprint()
    {
        var canonical = string.Join('|', AccountId.ToString("N"), Instrument.Symbol, Side, Type,
            Quantity.ToString("G29", CultureInfo.InvariantCulture), LimitPrice?.ToString("G29", CultureInfo.InvariantCulture) ?? "-", TimeInForce);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

internal static class OrderValidation
{
    private const decimal MaxPrice = 1_000_000_000m;

    public static (ValidOrder? Order, Dictionary<string, string[]> Errors) Validate(OrderRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var instrument = Instruments.Find(request.Symbol);
        var side = Parse<OrderSide>(request.Side, "side", ["buy", "sell"], errors);
        var type = Parse<OrderType>(request.Type, "type", ["market", "limit"], errors);
        var timeInForce = Parse<TimeInForce>(request.TimeInForce, "time_in_force", ["day", "gtc", "ioc"], errors);

        if (request.AccountId is null)
        {
            errors["account_id"] = ["Required."];
        }

        if (instrument is null)
        {
            errors["symbol"] = [request.Symbol is null ? "Required." : "Unknown symbol."];
        }
        else
        {
            ValidateQuantity(request.Quantity, instrument, errors);
            ValidateLimitPrice(request.LimitPrice, type, instrument, errors);
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidOrder(request.AccountId!.Value, instrument!, side!.Value, type!.Value, request.Quantity!.Value, request.LimitPrice, timeInForce!.Value), errors);
    }

    private static void ValidateQuantity(decimal? quantity, Instrument instrument, Dictionary<string, string[]> errors)
    {
        if (quantity is not { } q)
        {
            errors["quantity"] = ["Required."];
        }
        else if (q <= 0)
        {
            errors["quantity"] = ["Must be greater than zero."];
        }
        else if (q > instrument.MaxQuantity)
        {
            errors["quantity"] = [$"At most {instrument.MaxQuantity} for {instrument.Symbol}."];
        }
        else if (q.Scale > instrument.QuantityDecimals && q != Math.Round(q, instrument.QuantityDecimals))
        {
            errors["quantity"] = [$"At most {instrument.QuantityDecimals} decimals for {instrument.Symbol}."];
        }
        else if (q % instrument.LotSize != 0)
        {
            errors["quantity"] = [$"Must be a multiple of the lot size {instrument.LotSize}."];
        }
    }

    private static void ValidateLimitPrice(decimal? limitPrice, OrderType? type, Instrument instrument, Dictionary<string, string[]> errors)
    {
        if (type == OrderType.Market && limitPrice is not null)
        {
            errors["limit_price"] = ["Must be absent for a market order."];
        }
        else if (type == OrderType.Limit)
        {
            if (limitPrice is not { } price)
            {
                errors["limit_price"] = ["Required for a limit order."];
            }
            else if (price <= 0 || price > MaxPrice)
            {
                errors["limit_price"] = [$"Must be greater than zero and at most {MaxPrice}."];
            }
            else if (price % instrument.TickSize != 0)
            {
                errors["limit_price"] = [$"Must be a multiple of the tick size {instrument.TickSize}."];
            }
        }
    }

    private static T? Parse<T>(string? value, string field, string[] allowed, Dictionary<string, string[]> errors) where T : struct, Enum
    {
        if (value is not null && allowed.Contains(value, StringComparer.Ordinal))
        {
            return Enum.Parse<T>(value, ignoreCase: true);
        }

        errors[field] = [value is null ? "Required." : $"Must be one of: {string.Join(", ", allowed)}."];
        return null;
    }
}
