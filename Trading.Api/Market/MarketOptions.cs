namespace Trading.Api.Market;

internal sealed class MarketOptions
{
    public const string Section = "Trading:Market";

    /// <summary>Same seed, same time: same quote, on every replica and in every test run.</summary>
    public int Seed { get; set; } = 20_260_101;

    /// <summary>How long one quote stands before the next.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);
}
