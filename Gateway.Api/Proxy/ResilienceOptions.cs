namespace Gateway.Api.Proxy;

/// <summary>Per-destination breaker, retry and attempt budget (section <c>Gateway:Resilience</c>).</summary>
internal sealed class ResilienceOptions
{
    public const string Section = "Gateway:Resilience";

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    /// <summary>Long enough to hold several attempt budgets, so that timeouts, which arrive slowly, can open the breaker.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxRetries { get; set; } = 2;

    /// <summary>
    /// How long one attempt may wait for the response headers (connecting and sending included),
    /// shorter than every route timeout: a hung service costs a client this, then a 504.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
