using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Auditing;

/// <summary>
/// Health entry <c>audit</c>: degraded (the gateway keeps serving, records are safe on disk) while
/// the audit store is unavailable and records wait in the spill files, and whenever spill lines
/// were rejected on replay since the start: those need a person to look at the <c>.rejected</c> file.
/// </summary>
internal sealed class AuditHealthCheck(AuditWriter writer, AuditSpill spill) : IHealthCheck
{
    public const string Name = "audit";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (storeDown, spilling, rejected) = writer.State;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["spill_directory"] = spill.Directory, ["rejected_spill_lines"] = rejected };
        if (rejected > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"{rejected} audit spill lines did not match their leaf hash or did not parse; see the .rejected files in the spill directory.", data: data));
        }

        return Task.FromResult(storeDown || spilling
            ? HealthCheckResult.Degraded("The audit store is unavailable; records wait in the spill files.", data: data)
            : HealthCheckResult.Healthy("Records are committed to the audit log.", data));
    }
}
