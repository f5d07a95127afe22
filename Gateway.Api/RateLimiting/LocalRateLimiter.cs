using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// The in-process fallback used while the shared cache cannot decide: the same policy numbers,
/// enforced per gateway instance by <see cref="FixedWindowRateLimiter"/>s. Each window's start is
/// tracked here because the library does not report when a window resets, and the
/// <c>RateLimit</c> header must say so. Expired windows are swept so memory follows live clients.
/// </summary>
internal sealed class LocalRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Policy, string Partition), LocalWindow> _windows = new();
    private readonly SweepSchedule _sweeps = new(TimeSpan.FromSeconds(10));

    public RateLimitDecision Acquire(RateLimitPolicy policy, string partition)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);
        var window = _windows.GetOrAdd((policy.Name, partition), static _ => new LocalWindow());
        var (acquired, remaining, resetAfter) = window.Acquire(policy.PermitLimit, policy.Window, now);
        return new RateLimitDecision(policy.Name, acquired, policy.PermitLimit, policy.Window, remaining, resetAfter, RateLimitMode.Fallback);
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (!_sweeps.TryClaim(now))
        {
            return;
        }

        foreach (var entry in _windows)
        {
            if (entry.Value.HasEnded(now) && _windows.TryRemove(entry))
            {
                entry.Value.Dispose();
            }
        }
    }

    private sealed class LocalWindow : IDisposable
    {
        private readonly Lock _gate = new();
        private FixedWindowRateLimiter? _limiter;
        private DateTimeOffset _start;
        private TimeSpan _window;
        private int _limit;

        public (bool Acquired, long Remaining, TimeSpan ResetAfter) Acquire(int limit, TimeSpan window, DateTimeOffset now)
        {
            lock (_gate)
            {
                // A new window, or a policy whose numbers changed in configuration, starts a fresh limiter.
                if (_limiter is null || now - _start >= _window || limit != _limit || window != _window)
                {
                    _limiter?.Dispose();
                    _limiter = new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit,
                        Window = window,
                        QueueLimit = 0,
                        AutoReplenishment = false,
                    });
                    (_start, _window, _limit) = (now, window, limit);
                }

                using var lease = _limiter.AttemptAcquire();
                var remaining = _limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;
                return (lease.IsAcquired, remaining, _start + _window - now);
            }
        }

        public bool HasEnded(DateTimeOffset now)
        {
            lock (_gate)
            {
                return _limiter is null || now - _start >= _window;
            }
        }

        // A request that still holds this window after a sweep gets a fresh limiter (Acquire sees null).
        public void Dispose()
        {
            lock (_gate)
            {
                _limiter?.Dispose();
                _limiter = null;
            }
        }
    }
}
