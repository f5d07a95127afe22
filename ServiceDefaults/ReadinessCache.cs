using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The last readiness report, kept for <see cref="Lifetime"/>. <c>/health</c> is anonymous and
/// each full check writes to the cache and, at the gateway, calls every service (which checks its
/// database): without this, every caller would fan out to all of them. Callers that arrive while a
/// check runs wait for that one check; a check is never tied to one caller's request.
/// </summary>
internal sealed class ReadinessCache(HealthCheckService health, TimeProvider time)
{
    /// <summary>Short against a platform's probe period (10 s on Azure Container Apps), long against a flood.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private Task<HealthReport>? _report;
    private DateTimeOffset _startedAt;

    public Task<HealthReport> GetAsync()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_report is null || (_report.IsCompleted && now - _startedAt >= Lifetime))
            {
                _startedAt = now;
                _report = health.CheckHealthAsync(CancellationToken.None);
            }

            return _report;
        }
    }
}
