using System.ComponentModel.DataAnnotations;

namespace Trading.Api.Accounts;

/// <summary>Paper trading (section <c>Trading:PaperTrading</c>): what a new account starts with.</summary>
internal sealed class PaperTradingOptions
{
    public const string Section = "Trading:PaperTrading";

    [Range(typeof(decimal), "0", "1000000000")]
    public decimal StartingCash { get; set; } = 100_000.00m;

    [Required, StringLength(3, MinimumLength = 3)]
    public string Currency { get; set; } = "USD";
}
