using System.Collections.Concurrent;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Permits this instance took from a shared window ahead of use, so that a busy client does not
/// cost a cache round trip per request. Every permit is counted in the cache when it is leased,
/// so the replicas together never allow more than the limit; a permit leased here and not used
/// before the window ends is lost, which can only make a client's budget smaller, never larger.
/// A lease starts at one permit in each window (exact for small limits and occasional callers)
/// and doubles with each refill in the same window, up to <see cref="MaxLease"/>.
/// </summary>
internal sealed class BudgetLeases(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly SweepSchedule _sweeps = new(TimeSpan.FromSeconds(10));

    /// <summary>At most a twentieth of the limit (a 300-per-minute policy leases 15 at a time), and at most 256.</summary>
    public static int MaxLease(RateLimitPolicy policy) => Math.Clamp(policy.PermitLimit / 20, 1, 256);

    /// <summary>A permit from this instance's lease, or null when the cache must be asked.</summary>
    public RateLimitDecision? TryTake(string key, RateLimitPolicy policy)
    {
        var now = time.GetUtcNow();
        SweepIfDue(now);
        return _leases.TryGetValue(key, out var lease) ? lease.TryTake(policy, now) : null;
    }

    /// <summary>How many permits to ask the cache for on the next refill of this key.</summary>
    public int NextSize(string key, RateLimitPolicy policy) =>
        _leases.TryGetValue(key, out var lease) ? lease.NextSize(policy, time.GetUtcNow()) : 1;

    /// <summary>Records what the cache granted (zero: the window's budget is spent) and decides this request.</summary>
    public RateLimitDecision Refill(string key, RateLimitPolicy policy, long granted, long counted, TimeSpan resetAfter) =>
        _leases.GetOrAdd(key, static _ => new Lease()).Refill(policy, granted, counted, time.GetUtcNow(), resetAfter);

    private void SweepIfDue(DateTimeOffset now)
    {
        if (!_sweeps.TryClaim(now))
        {
            return;
        }

        foreach (var (key, lease) in _leases)
        {
            if (lease.HasEnded(now))
            {
                _leases.TryRemove(key, out _);
            }
        }
    }

    private sealed class Lease
    {
        private readonly Lock _gate = new();
        private int _limit;
        private TimeSpan _window;
        private DateTimeOffset _resetsAt;
        private long _left;
        private long _counted;
        private int _size = 1;

        public RateLimitDecision? TryTake(RateLimitPolicy policy, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (_left == 0 || !IsCurrent(policy, now))
                {
                    return null;
                }

                _left--;
                return Decision(policy, allowed: true, now);
            }
        }

        public int NextSize(RateLimitPolicy policy, DateTimeOffset now)
        {
            lock (_gate)
            {
                return IsCurrent(policy, now) ? Math.Min(_size * 2, MaxLease(policy)) : 1;
            }
        }

        public RateLimitDecision Refill(RateLimitPolicy policy, long granted, long counted, DateTimeOffset now, TimeSpan resetAfter)
        {
            lock (_gate)
            {
                var resetsAt = now + resetAfter;
                // Answers for one window name nearly the same end; a later window's end is at least a window later.
                if (IsCurrent(policy, now) && (resetsAt - _resetsAt).Duration() < policy.Window / 2)
                {
                    _size = (int)Math.Max(_size, granted);
                }
                else
                {
                    (_limit, _window, _resetsAt, _left, _counted, _size) = (policy.PermitLimit, policy.Window, resetsAt, 0, 0, (int)Math.Max(1, granted));
                }

                _counted = Math.Max(_counted, counted);
                if (granted == 0)
                {
                    return Decision(policy, allowed: false, now);
                }

                _left += granted - 1;
                return Decision(policy, allowed: true, now);
            }
        }

        public bool HasEnded(DateTimeOffset now)
        {
            lock (_gate)
            {
                return now >= _resetsAt;
            }
        }

        private bool IsCurrent(RateLimitPolicy policy, DateTimeOffset now) =>
            now < _resetsAt && _limit == policy.PermitLimit && _window == policy.Window;

        // Remaining: what no replica has leased yet, plus what this one still holds.
        private RateLimitDecision Decision(RateLimitPolicy policy, bool allowed, DateTimeOffset now) => new(
            policy.Name,
            allowed,
            policy.PermitLimit,
            policy.Window,
            allowed ? Math.Max(0, policy.PermitLimit - _counted) + _left : 0,
            _resetsAt - now,
            RateLimitMode.Distributed);
    }
}
