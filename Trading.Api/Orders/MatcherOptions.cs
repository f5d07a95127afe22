namespace Trading.Api.Orders;

internal sealed class MatcherOptions
{
    public const string Section = "Trading:Matcher";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}
