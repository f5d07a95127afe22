using System.Diagnostics.Metrics;

namespace Gateway.Api.Auditing;

/// <summary>
/// Meter <c>AspireGateway.Auditing</c>. <c>audit.records.dropped</c> must stay at zero: every
/// increment is also an error log, so a lost record is never silent.
/// </summary>
internal sealed class AuditMetrics
{
    public const string MeterName = TelemetryExtensions.SourcePrefix + "Auditing";

    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _committed;
    private readonly Counter<long> _spilled;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _overflowed;

    public AuditMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _enqueued = meter.CreateCounter<long>("audit.records.enqueued", "{record}", "Records handed to the audit writer.");
        _committed = meter.CreateCounter<long>("audit.records.committed", "{record}", "Records committed to the audit store.");
        _spilled = meter.CreateCounter<long>("audit.records.spilled", "{record}", "Records written to the local spill file.");
        _dropped = meter.CreateCounter<long>("audit.records.dropped", "{record}", "Records lost; each is also logged as an error.");
        _overflowed = meter.CreateCounter<long>("audit.queue.overflowed", "{record}", "Records that found the queue full and waited for room.");
    }

    public void Enqueued(string source) => _enqueued.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Committed(int count) => _committed.Add(count);

    public void Spilled(int count) => _spilled.Add(count);

    public void Dropped(long count, string reason) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void Overflowed() => _overflowed.Add(1);
}
