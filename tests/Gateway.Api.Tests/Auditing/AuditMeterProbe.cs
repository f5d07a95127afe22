using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// Listens to one meter (by default <c>AspireGateway.Auditing</c>) of every gateway in the process and sums
/// each counter per meter factory, so a test reads only its own gateway's figures.
/// </summary>
public sealed class AuditMeterProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(object? Scope, string Name), long> _totals = new();

    public AuditMeterProbe(string meterName = "AspireGateway.Auditing")
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            _totals.AddOrUpdate((instrument.Meter.Scope, instrument.Name), value, (_, total) => total + value));
        _listener.Start();
    }

    public long Total(IMeterFactory scope, string counter) => _totals.GetValueOrDefault((scope, counter));

    public void Dispose() => _listener.Dispose();
}
