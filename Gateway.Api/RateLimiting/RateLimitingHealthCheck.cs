using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.RateLimiting;

/// <summary>Degraded while limits are enforced per instance: the gateway serves, but replicas no longer share budgets.</summary>
internal sealed class RateLimitingHealthCheck(DistributedRateLimiter limiter) : IHealthCheck
{
    public const string Name = "rate-limiting";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(limiter.InFallback
            ? HealthCheckResult.Degraded("Rate limits are enforced per instance by the local fallback limiter: the shared cache is unreachable.")
            : HealthCheckResult.Healthy("Rate limits are shared through the cache."));
}
