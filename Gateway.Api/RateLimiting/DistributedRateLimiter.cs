using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Decisions shared by every replica: a fixed-window counter in the shared cache, taken in leases
/// of permits (<see cref="BudgetLeases"/>) by one Lua script in one round trip. The cache's own
/// key expiry is the window clock, so replicas never compare wall clocks, and the script grants
/// only what is left of the limit, so the permits the replicas hand out never exceed it. A busy
/// client costs one round trip per lease, an occasional one a round trip per request. When the
/// cache is unreachable, slow or failing, <see cref="LocalRateLimiter"/> decides instead: never
/// an error for the caller.
/// </summary>
internal sealed partial class DistributedRateLimiter
{
    public const string KeyPrefix = "ratelimit:";

    // KEYS[1] counter; ARGV[1] window in ms, ARGV[2] limit, ARGV[3] permits wanted.
    // Returns {permits granted, permits counted in this window, ms until it resets}. The expiry is
    // set only when missing, so later leases never stretch the window; a refusal counts nothing.
    internal const string Script = """
        local counted = tonumber(redis.call('GET', KEYS[1]) or '0')
        local granted = math.max(0, math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) - counted))
        if granted > 0 then
          counted = redis.call('INCRBY', KEYS[1], granted)
        end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          if counted > 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
          end
          ttl = tonumber(ARGV[1])
        end
        return { granted, counted, ttl }
        """;

    private readonly IConnectionMultiplexer _cache;
    private readonly LocalRateLimiter _local;
    private readonly BudgetLeases _leases;
    private readonly RateLimitingMetrics _metrics;
    private readonly ILogger<DistributedRateLimiter> _logger;
    private readonly ResiliencePipeline _pipeline;
    private int _mode = (int)RateLimitMode.Distributed;

    public DistributedRateLimiter(
        IConnectionMultiplexer cache,
        LocalRateLimiter local,
        BudgetLeases leases,
        IOptionsMonitor<RateLimitingOptions> options,
        IMeterFactory meters,
        TimeProvider time,
        ILogger<DistributedRateLimiter> logger)
    {
        _cache = cache;
        _local = local;
        _leases = leases;
        _logger = logger;
        _metrics = new RateLimitingMetrics(meters, () => InFallback);

        // A decision waits at most DecisionTimeout; after repeated failures the breaker keeps
        // decisions local for BreakDuration, then lets one probe through to the cache.
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDurationGenerator = _ => ValueTask.FromResult(options.CurrentValue.BreakDuration),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex.IsCacheFailure()).Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(new TimeoutStrategyOptions { TimeoutGenerator = _ => ValueTask.FromResult(options.CurrentValue.DecisionTimeout) })
            .Build();
    }

    /// <summary>True while decisions are local: the last one fell back, or the cache is disconnected now.</summary>
    public bool InFallback => Volatile.Read(ref _mode) == (int)RateLimitMode.Fallback || !_cache.IsConnected;

    public async ValueTask<RateLimitDecision> AcquireAsync(RateLimitPolicy policy, string partition)
    {
        var key = KeyFor(policy.Name, partition);
        if (_leases.TryTake(key, policy) is { } leased)
        {
            return Decided(leased);
        }

        Exception? failure = null;
        if (_cache.IsConnected)
        {
            try
            {
                var (granted, counted, resetMs) = await _pipeline.ExecuteAsync(
                    static async (state, cancellationToken) => Parse(await state.Database
                        .ScriptEvaluateAsync(Script, [state.Key], [(long)state.Policy.Window.TotalMilliseconds, state.Policy.PermitLimit, state.Wanted])
                        .WaitAsync(cancellationToken)
                        .ConfigureAwait(false)),
                    (Database: _cache.GetDatabase(), Key: new RedisKey(key), Policy: policy, Wanted: _leases.NextSize(key, policy))).ConfigureAwait(false);
                return Decided(_leases.Refill(key, policy, granted, counted, TimeSpan.FromMilliseconds(resetMs)));
            }
            catch (Exception ex) when (ex.IsCacheFailure() || ex is TimeoutRejectedException or BrokenCircuitException or InvalidCastException)
            {
                failure = ex;
            }
        }

        return Decided(_local.Acquire(policy, partition), failure);
    }

    /// <summary>
    /// One evaluation before the gateway takes traffic (on a key that expires within a second):
    /// the first one pays for loading the script, the server's Lua start-up and this process's JIT,
    /// and could outlast <see cref="RateLimitingOptions.DecisionTimeout"/>, sending the first
    /// requests after a deployment to the fallback.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        if (!_cache.IsConnected)
        {
            return;
        }

        try
        {
            var result = await _cache.GetDatabase()
                .ScriptEvaluateAsync(Script, [KeyFor("warm-up", Environment.MachineName)], [1000, 1, 1])
                .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            Parse(result);
        }
        catch (Exception ex) when (ex.IsCacheFailure() || ex is InvalidCastException)
        {
            // Not fatal: decisions fall back until the cache answers, and that transition is logged.
            LogWarmUpFailed(_logger, ex);
        }
    }

    private static (long Granted, long Counted, long ResetMs) Parse(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return ((long)values[0], (long)values[1], (long)values[2]);
    }

    private RateLimitDecision Decided(RateLimitDecision decision, Exception? failure = null)
    {
        _metrics.Record(decision);
        var previous = (RateLimitMode)Interlocked.Exchange(ref _mode, (int)decision.Mode);
        if (previous != decision.Mode)
        {
            // Transitions only: a log line per request would flood the logs exactly when the cache is down.
            if (decision.Mode == RateLimitMode.Fallback)
            {
                LogFallback(_logger, failure?.GetType().Name ?? "not connected", failure);
            }
            else
            {
                LogRestored(_logger);
            }
        }

        return decision;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limiting fell back to the local limiter ({Reason}): limits now apply per gateway instance until the shared cache answers again")]
    private static partial void LogFallback(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not evaluate the rate-limit script at start; decisions stay local until the cache answers")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limiting is shared through the cache again")]
    private static partial void LogRestored(ILogger logger);

    /// <summary>The cache key of one policy and partition: <c>ratelimit:{policy}:{user|ip}:{id}</c>.</summary>
    public static string KeyFor(string policyName, string partition) => string.Concat(KeyPrefix, policyName, ":", partition);
}
