namespace Trading.Api.Portfolio;

/// <summary>What an account holds of one instrument; open sell orders hold part of it.</summary>
internal sealed class Position
{
    public Guid AccountId { get; set; }

    public required string Symbol { get; set; }

    public decimal Quantity { get; set; }

    /// <summary>Quantity held by open sell orders.</summary>
    public decimal ReservedQuantity { get; set; }

    public decimal AveragePrice { get; set; }
}
