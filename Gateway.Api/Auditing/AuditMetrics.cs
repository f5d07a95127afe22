using System.Diagnostics.Metrics;

namespace Gateway.Api.Auditing;

/// <summary>
/// Meter <c>AspireGateway.Auditing</c>. <c>audit.records.dropped</c> and <c>audit.spill.rejected</c>
/// must stay at zero: every increment is also an error log (and, for rejected spill lines, a
/// degraded <c>audit</c> health entry), so a lost or damaged record is never silent.
/// </summary>
internal sealed class AuditMetrics
{
    public const string MeterName = TelemetryExtensions.SourcePrefix + "Auditing";

    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _committed;
    private readonly Counter<long> _spilled;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _overflowed;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _copyFailed;

    public AuditMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _enqueued = meter.CreateCounter<long>("audit.records.enqueued", "{record}", "Records handed to the audit writer.");
        _committed = meter.CreateCounter<long>("audit.records.committed", "{record}", "Records committed to the audit store.");
        _spilled = meter.CreateCounter<long>("audit.records.spilled", "{record}", "Records written to the local spill file.");
        _dropped = meter.CreateCounter<long>("audit.records.dropped", "{record}", "Records lost; each is also logged as an error.");
        _overflowed = meter.CreateCounter<long>("audit.queue.overflowed", "{record}", "Records that found the queue full and waited for room.");
        _rejected = meter.CreateCounter<long>("audit.spill.rejected", "{line}", "Spill lines that did not parse or did not match their leaf hash; kept aside in a .rejected file, each also logged as an error.");
        _copyFailed = meter.CreateCounter<long>("audit.checkpoint.copy_failed", "{checkpoint}", "Checkpoints that could not be copied outside the store.");
    }

    public void Enqueued(string source) => _enqueued.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Committed(int count) => _committed.Add(count);

    public void Spilled(int count) => _spilled.Add(count);

    public void Dropped(long count, string reason) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void Overflowed() => _overflowed.Add(1);

    public void Rejected(int count) => _rejected.Add(count);

    public void CopyFailed(string copy) => _copyFailed.Add(1, new KeyValuePair<string, object?>("copy", copy));
}
