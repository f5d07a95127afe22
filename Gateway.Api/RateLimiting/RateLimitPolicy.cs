namespace Gateway.Api.RateLimiting;

/// <summary>
/// A route's limit as the limiters take it: its name (in the cache key, the local window's key and
/// the RateLimit headers), at most <see cref="PermitLimit"/> requests per key in each <see cref="Window"/>.
/// </summary>
internal sealed record RateLimitPolicy(string Name, int PermitLimit, TimeSpan Window)
{
    public static readonly RateLimitPolicy BuiltInDefault = new(RateLimitingOptions.DefaultPolicy, 120, TimeSpan.FromSeconds(60));
}
