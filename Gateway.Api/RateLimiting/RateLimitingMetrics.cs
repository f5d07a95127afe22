using System.Diagnostics.Metrics;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// What an operator watches (meter <c>AspireGateway.RateLimiting</c>): every decision by policy,
/// mode and outcome, rejections by policy, and whether this instance is on its local fallback.
/// Tags are bounded (policy names come from configuration); a key or a user never becomes a tag.
/// </summary>
internal sealed class RateLimitingMetrics
{
    public const string MeterName = TelemetryExtensions.SourcePrefix + "RateLimiting";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _rejections;

    public RateLimitingMetrics(IMeterFactory meters, Func<bool> inFallback)
    {
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("gateway.rate_limit.decisions", "{decision}", "Rate-limit decisions by policy, mode (distributed or fallback) and outcome.");
        _rejections = meter.CreateCounter<long>("gateway.rate_limit.rejections", "{request}", "Requests answered 429 by policy and mode.");
        meter.CreateObservableGauge("gateway.rate_limit.fallback", () => inFallback() ? 1 : 0, "{state}", "1 while this instance decides locally because the shared cache is unreachable.");
    }

    public void Record(in RateLimitDecision decision)
    {
        var policy = new KeyValuePair<string, object?>("policy", decision.Policy);
        var mode = new KeyValuePair<string, object?>("mode", decision.Mode == RateLimitMode.Distributed ? "distributed" : "fallback");
        _decisions.Add(1, policy, mode, new KeyValuePair<string, object?>("outcome", decision.Allowed ? "allowed" : "rejected"));
        if (!decision.Allowed)
        {
            _rejections.Add(1, policy, mode);
        }
    }
}
