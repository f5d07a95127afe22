namespace Trading.Api.Orders;

/// <summary>One fill of an order: a quantity at a price.</summary>
internal sealed class Execution
{
    public long Id { get; set; }

    public Guid OrderId { get; set; }

    public decimal Quantity { get; set; }

    public decimal Price { get; set; }

    public DateTime ExecutedAt { get; set; }
}
