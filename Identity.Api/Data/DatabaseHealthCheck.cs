using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Identity.Api.Data;

/// <summary>Readiness includes the identity database: without it no token can be issued or checked.</summary>
internal sealed class DatabaseHealthCheck(IdentityDb db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The identity database did not answer.");
}
