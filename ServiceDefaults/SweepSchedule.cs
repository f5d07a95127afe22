namespace Microsoft.Extensions.Hosting;

/// <summary>
/// When an in-process cache may sweep its expired entries: at most once per interval, claimed by
/// exactly one of the requests that find it due, so the sweep rides on request threads without a
/// timer and without two threads sweeping at once.
/// </summary>
public sealed class SweepSchedule(TimeSpan interval)
{
    private long _nextTicks;

    /// <summary>True for the one caller that claims the sweep due at <paramref name="now"/>.</summary>
    public bool TryClaim(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextTicks);
        return now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextTicks, (now + interval).UtcTicks, due) == due;
    }
}
